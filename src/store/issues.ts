import type { z } from 'zod';

/** `baskets[0].symbols`: a zod issue path as it would be written in JavaScript. */
export function formatPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(top level)';
}

/** The first `max` issues as `path: message`, separated by `; `, with a count of the rest. */
export function formatIssues(error: z.ZodError, base = '', max = 5): string {
  const shown = error.issues.slice(0, max).map((i) => `${formatPath(base, i.path)}: ${i.message}`);
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more problem${more === 1 ? '' : 's'}` : '');
}
