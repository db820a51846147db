// A tiny strict schema checker for the configuration file: unknown keys and wrong types are
// errors naming the field, so a typo never silently falls back to a default.

export type FieldSpec =
  | { kind: 'string'; optional?: boolean; pattern?: RegExp; hint?: string }
  | { kind: 'integer'; optional?: boolean; min?: number; max?: number }
  | { kind: 'boolean'; optional?: boolean }
  | { kind: 'enum'; values: readonly string[]; optional?: boolean }
  | { kind: 'object'; fields: Record<string, FieldSpec>; optional?: boolean }
  /** A map from operator-chosen names to values of one shape (e.g. keystores by repository name). */
  | { kind: 'map'; value: FieldSpec; optional?: boolean };

export interface SchemaProblem {
  /** Dotted path of the offending field, e.g. `keystores.SoftHSM.directory`. */
  path: string;
  message: string;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  return `a ${typeof v}`;
}

/** Returns the first problem found, in document order of the schema, or null. */
export function checkValue(spec: FieldSpec, value: unknown, path: string): SchemaProblem | null {
  if (value === undefined || value === null) {
    return spec.optional ? null : { path, message: 'is required' };
  }
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') return { path, message: `must be a string, not ${typeName(value)}` };
      if (spec.pattern && !spec.pattern.test(value)) {
        return { path, message: `has an invalid value ${JSON.stringify(value)}${spec.hint ? ` (${spec.hint})` : ''}` };
      }
      return null;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return { path, message: `must be an integer, not ${typeName(value)}` };
      }
      if (spec.min !== undefined && value < spec.min) return { path, message: `must be at least ${spec.min}` };
      if (spec.max !== undefined && value > spec.max) return { path, message: `must be at most ${spec.max}` };
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : { path, message: `must be true or false, not ${typeName(value)}` };
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value)
        ? null
        : { path, message: `must be one of ${spec.values.join(', ')}` };
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        return { path, message: `must be a mapping, not ${typeName(value)}` };
      }
      const obj = value as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        if (!(key in spec.fields)) {
          const known = Object.keys(spec.fields).join(', ');
          return { path: join(path, key), message: `unknown key (known keys here: ${known})` };
        }
      }
      for (const [key, sub] of Object.entries(spec.fields)) {
        const p = checkValue(sub, obj[key], join(path, key));
        if (p) return p;
      }
      return null;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        return { path, message: `must be a mapping, not ${typeName(value)}` };
      }
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        const p = checkValue(spec.value, v, join(path, key));
        if (p) return p;
      }
      return null;
    }
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
