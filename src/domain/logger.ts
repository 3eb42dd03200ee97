/**
 * The logging port: levelled lines with a context object. src/log.ts implements it on pino; tests pass capturing
 * or silent loggers. Here (not in src/log.ts) so the layers below the app can take a Logger without importing pino.
 */
export interface Logger {
  debug(msg: string, ctx?: Record<string, unknown>): void;
  info(msg: string, ctx?: Record<string, unknown>): void;
  warn(msg: string, ctx?: Record<string, unknown>): void;
  error(msg: string, ctx?: Record<string, unknown>): void;
  /** A logger whose every line carries `bindings` (a tick id, a command id). */
  child(bindings: Record<string, unknown>): Logger;
}
