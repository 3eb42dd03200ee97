import type { z } from 'zod';
import { StoreError } from './errors.js';
import { formatIssues } from '../domain/issues.js';
import { findNonJson } from './json-check.js';

/**
 * A private copy of `value`, exactly as it will read back from the file, checked against `schema`. Throws a
 * StoreError `invalid` naming the offending field (as `what.field`) when JSON cannot hold the value faithfully or
 * the shape is wrong, so the store never writes a document it would refuse to open.
 */
export function toStored<T>(schema: z.ZodType, value: T, what: string): T {
  const problem = findNonJson(value, what);
  if (problem) throw new StoreError('invalid', `cannot store ${problem}; nothing was saved`);
  const copy: unknown = JSON.parse(JSON.stringify(value));
  const parsed = schema.safeParse(copy);
  if (!parsed.success) throw new StoreError('invalid', `cannot store ${what}: ${formatIssues(parsed.error, what)}; nothing was saved`);
  return parsed.data as T;
}
