/**
 * Error values that cross layers. Each carries a stable `code` so that adapters can choose wording
 * and exit codes without parsing messages.
 *
 * - UserError: the caller asked for something wrong (bad symbol, malformed argument). Exit code 2 on the CLI,
 *   an ephemeral reply in chat. The message says what to fix.
 * - DataError: the data cannot support the statistic (zero variance, too few returns, non-finite prices).
 *   A UserError too: the caller can fix it by choosing another window or symbol.
 * - SourceError: the market source failed (rate limited, down, timeout). Exit code 1. `retryable` says whether
 *   trying again later can help. Code `aborted` is the caller's own cancellation (src/market/abort.ts).
 * - ConfigError: the configuration is invalid; `issues` lists every problem as `key.path: what is wrong`.
 */
export class UserError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
    this.code = code;
  }
}

export type DataErrorCode = 'zero_variance' | 'too_few_returns' | 'non_finite_price' | 'length_mismatch' | 'no_overlap';

export class DataError extends UserError {
  /** Index of the offending series (column) when the error concerns one series; lets callers name the symbol. */
  readonly series?: number;
  constructor(code: DataErrorCode, message: string, series?: number) {
    super(code, message);
    this.name = 'DataError';
    this.series = series;
  }
}

export type SourceErrorCode =
  | 'rate_limited'
  | 'unavailable'
  | 'timeout'
  | 'network'
  | 'bad_response'
  | 'unknown_exchange'
  /** The caller aborted the call (its AbortSignal fired, e.g. corrwatch is stopping): not retryable, not the source's fault. */
  | 'aborted';

export class SourceError extends Error {
  readonly code: SourceErrorCode;
  readonly retryable: boolean;
  constructor(code: SourceErrorCode, message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceError';
    this.code = code;
    this.retryable = retryable;
  }
}

export class ConfigError extends Error {
  readonly issues: string[];
  constructor(issues: string[], source?: string) {
    super(`invalid configuration${source ? ` in ${source}` : ''}:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
