// Fixture access for the policy tests: files are named relative to the repository's test/fixtures
// and examples directories, and messages use the bare file name so they stay stable.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url));
}

export function readFixture(relative: string): string {
  return readFileSync(fixturePath(relative), 'utf8');
}

export function examplePath(name: string): string {
  return fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
}

export function readExample(name: string): string {
  return readFileSync(examplePath(name), 'utf8');
}
