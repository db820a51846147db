// Secrets never reach logs or error messages: database URLs are shown with the password masked.

export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    for (const k of [...u.searchParams.keys()]) {
      if (/pass|secret|key/i.test(k) && !/^sslkey$/i.test(k)) u.searchParams.set(k, '****');
    }
    return u.toString();
  } catch {
    // Not parseable as a URL: mask anything that looks like user:password@.
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1****@');
  }
}

/** Replace every occurrence of known secrets in a message. */
export function scrub(message: string, secrets: Array<string | undefined>): string {
  let out = message;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('****');
  return out;
}
