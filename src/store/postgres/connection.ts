/**
 * Where a PostgreSQL store is: a `postgres://` (or `postgresql://`) URL and, when the URL has none, the password to
 * use (from the environment: PGPASSWORD). The password never appears in `location` or in any message.
 */
export interface PostgresTarget {
  url: string;
  password?: string;
}

const PROTOCOLS = new Set(['postgres:', 'postgresql:']);

/** The URL parsed, or a reason it is not a PostgreSQL URL (the reason never repeats the URL: it may hold a password). */
export function parsePostgresUrl(text: string): { url: URL } | { problem: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: 'is not a URL (expected postgres://user@host:5432/database)' };
  }
  if (!PROTOCOLS.has(url.protocol)) return { problem: `must start with postgres:// or postgresql://, not ${url.protocol}//` };
  if (!url.hostname && !url.searchParams.get('host')) return { problem: 'names no host (expected postgres://user@host:5432/database)' };
  return { url };
}

/** The URL without its password: for messages, logs and `Store.location`. */
export function redactedUrl(text: string): string {
  const parsed = parsePostgresUrl(text);
  if ('problem' in parsed) return 'postgres://(an invalid URL)';
  const url = parsed.url;
  url.password = '';
  // Query parameters may carry a password too (`?password=`): drop their values.
  for (const key of [...url.searchParams.keys()]) if (/pass|secret|key/i.test(key)) url.searchParams.set(key, 'redacted');
  return url.toString();
}

/** The connection string handed to node-postgres: the URL with the target's password put in when it has none. */
export function connectionString(target: PostgresTarget): string {
  const parsed = parsePostgresUrl(target.url);
  if ('problem' in parsed) return target.url;
  const url = parsed.url;
  if (!url.password && target.password) url.password = encodeURIComponent(target.password);
  return url.toString();
}
