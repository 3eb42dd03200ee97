import { REFUSED_FILE_HINT, StoreError } from './errors.js';
import { formatIssues } from '../domain/issues.js';
import { migrateDocument } from './migrate.js';
import { storeDataSchema } from './schema.js';
import { STORE_SCHEMA_VERSION, type StoreData } from './types.js';

/**
 * Turn the text of a data file into a document, or refuse it with a StoreError (`corrupt` or `unknown_version`)
 * whose message names `file`, says what is wrong and what to do. Files of older versions are upgraded first
 * (migrate.ts). The version is checked before the shape, so a file from a newer corrwatch is reported as such
 * rather than as damaged.
 */
export function parseDocument(text: string, file: string): StoreData {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw refused('corrupt', `${file} is not valid JSON (${(e as Error).message})`, e);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw refused('corrupt', `${file} is not a corrwatch data file: expected a JSON object, found ${describe(raw)}`);
  }
  raw = migrateDocument(raw as Record<string, unknown>);
  const version = (raw as { schemaVersion?: unknown }).schemaVersion;
  if (version === undefined) {
    throw refused('corrupt', `${file} is not a corrwatch data file: it has no schemaVersion`);
  }
  if (version !== STORE_SCHEMA_VERSION) {
    const newer = typeof version === 'number' && version > STORE_SCHEMA_VERSION;
    throw new StoreError(
      'unknown_version',
      `${file} has schemaVersion ${JSON.stringify(version)}, but this corrwatch reads only version ${STORE_SCHEMA_VERSION}` +
        `${newer ? ' (a newer corrwatch wrote it: upgrade to use it)' : ''}. ${REFUSED_FILE_HINT}`,
    );
  }
  const parsed = storeDataSchema.safeParse(raw);
  if (!parsed.success) {
    throw refused('corrupt', `${file} does not have the shape of a corrwatch data file: ${formatIssues(parsed.error)}`, parsed.error);
  }
  return parsed.data as StoreData;
}

function refused(code: 'corrupt', what: string, cause?: unknown): StoreError {
  return new StoreError(code, `${what}. ${REFUSED_FILE_HINT}`, { cause });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
