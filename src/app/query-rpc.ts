/**
 * The messages between the query pool (main thread) and its workers (src/app/query-pool.ts, query-worker.ts).
 * A query runs in a worker; the ports it uses (the market source, the store, the logger) stay on the main thread,
 * where the candle cache, the exchange's rate limiter and the store's single writer live, and are called over the
 * task's MessagePort. Errors cross as data and are rebuilt as the same classes, so the worker's dispatch words them
 * as it would on the main thread (a UserError is a user error, a SourceError a market-data failure).
 */
import { DataError, SourceError, UserError, type DataErrorCode, type SourceErrorCode } from '../domain/errors.js';
import type { DispatchResult } from '../domain/chat-runtime.js';
import type { Invocation } from '../domain/invocation.js';
import type { MessagePort as WorkerPort } from 'node:worker_threads';

/** A call from the worker to a port on the main thread. */
export interface PortCall {
  id: number;
  target: 'market' | 'store';
  method: string;
  args: unknown[];
}

/** A log line from the worker (no answer). */
export interface LogLine {
  target: 'log';
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  bindings: Record<string, unknown>;
  ctx?: Record<string, unknown>;
}

/** The worker's last message for a task: nothing follows it on the port. */
export interface Done {
  target: 'done';
}

export type WorkerMessage = PortCall | LogLine | Done;

export interface SerializedError {
  kind: 'UserError' | 'DataError' | 'SourceError' | 'Error';
  code?: string;
  message: string;
  retryable?: boolean;
  series?: number;
  stack?: string;
}

export type PortAnswer = { id: number; value: unknown } | { id: number; error: SerializedError };

/** What the pool sends a worker for one query. */
export interface QueryTask {
  line: string | string[];
  invocation: Invocation;
  /** The main thread's clock at dispatch (the worker answers as of then; a demo clock may run fast). */
  now: number;
  renderCharts: boolean;
  port: WorkerPort;
}

/** Set once per worker (workerData). */
export interface QueryWorkerData {
  config: unknown;
  version: string;
  market: { id: string; venue: string; optional: ('nativeTimeframe' | 'latestBarTime' | 'calendar')[] };
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof DataError) return { kind: 'DataError', code: e.code, message: e.message, series: e.series };
  if (e instanceof UserError) return { kind: 'UserError', code: e.code, message: e.message };
  if (e instanceof SourceError) return { kind: 'SourceError', code: e.code, message: e.message, retryable: e.retryable };
  if (e instanceof Error) return { kind: 'Error', message: e.message, stack: e.stack };
  return { kind: 'Error', message: String(e) };
}

export function reviveError(s: SerializedError): Error {
  switch (s.kind) {
    case 'DataError':
      return new DataError(s.code as DataErrorCode, s.message, s.series);
    case 'UserError':
      return new UserError(s.code ?? 'bad_request', s.message);
    case 'SourceError':
      return new SourceError(s.code as SourceErrorCode, s.message, s.retryable ?? false);
    default: {
      const e = new Error(s.message);
      if (s.stack) e.stack = s.stack;
      return e;
    }
  }
}

/** Log context made safe to post: Error values become plain objects that keep their name, message, code and stack. */
export function plainLogContext(ctx: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!ctx) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ctx)) {
    out[k] = v instanceof Error ? { type: v.name, message: v.message, code: (v as { code?: unknown }).code, stack: v.stack } : v;
  }
  return out;
}

/** A Uint8Array that crossed the worker boundary as a Buffer again (a Buffer as it is). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A worker's answer on the main thread: a chart's PNG and an export's file (`reply.attachment`, `/corr export ...`)
 * arrive as Uint8Arrays (structured clone drops the Buffer class) and become Buffers again.
 */
export function reviveResult(r: DispatchResult): DispatchResult {
  const { chart, attachment } = r.reply;
  const png = chart?.png as Uint8Array | undefined;
  const content = attachment?.content as Uint8Array | undefined;
  const pngOk = !png || Buffer.isBuffer(png);
  const contentOk = !content || Buffer.isBuffer(content);
  if (pngOk && contentOk) return r;
  return {
    ...r,
    reply: {
      ...r.reply,
      ...(chart && png ? { chart: { ...chart, png: asBuffer(png) } } : {}),
      ...(attachment && content ? { attachment: { ...attachment, content: asBuffer(content) } } : {}),
    },
  };
}
