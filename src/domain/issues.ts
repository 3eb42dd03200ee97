import type { z } from 'zod';

/**
 * Zod validation problems as text, the one formatter for configuration, stored documents and alert states:
 * each issue is `path: what is wrong`.
 */

type Issue = z.core.$ZodIssue;

/** A plain key (a name, a basket name like `l1-coins`, a number as text) needs no quoting in a path. */
const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;

/**
 * An issue path as it reads in the file: `baskets.majors.symbols[0]` (after `base`, when given, e.g. the name of
 * the stored value). Array indexes are in brackets, keys that are not plain names are quoted; an empty path is
 * `(top level)`.
 */
export function formatPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && PLAIN_KEY.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(top level)';
}

/** One issue as `path: message`; unknown keys as `path: unknown key "name"` (at the top level without a path). */
export function formatIssue(issue: Issue, base = ''): string {
  const at = issue.path.length || base ? `${formatPath(base, issue.path)}: ` : '';
  if (issue.code === 'unrecognized_keys') {
    return `${at}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return `${at || '(top level): '}${issue.message}`;
}

/** Every issue, one line each. */
export function issueLines(issues: readonly Issue[], base = ''): string[] {
  return issues.map((i) => formatIssue(i, base));
}

/** The first `max` issues on one line, separated by `; `, with a count of the rest. */
export function formatIssues(error: z.ZodError, base = '', max = 5): string {
  const shown = issueLines(error.issues.slice(0, max), base);
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more problem${more === 1 ? '' : 's'}` : '');
}
