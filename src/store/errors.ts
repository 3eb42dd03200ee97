/**
 * Why the store refused to open or to save:
 * - `corrupt`: the data file is not valid JSON or not a corrwatch store of the expected shape;
 * - `unknown_version`: the file's `schemaVersion` is one this corrwatch does not read (usually written by a newer one);
 * - `io`: the file or its directory could not be read or written (permissions, disk full);
 * - `invalid`: a value given to the store cannot be saved faithfully as JSON or does not have the stored shape
 *   (NaN, a Date, a missing field); nothing was written.
 */
export type StoreErrorCode = 'corrupt' | 'unknown_version' | 'io' | 'invalid';

/** An operator-facing store failure. The message names the file, what is wrong and what to do. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** What to tell the operator about a data file that was refused at open. */
export const REFUSED_FILE_HINT = 'The file was left untouched. Fix it, restore the newest good copy with `corrwatch store repair --from-backup`, or move it aside with `corrwatch store move-aside` to start fresh.';
