/**
 * The query worker pool (issue 11 §2): chat commands marked `heavy` (statistics over history and a chart: corr,
 * matrix, regime, compare, backtest) run in worker threads, so that acking slash commands, /healthz, /metrics and
 * the watcher never wait on them. piscina keeps the threads warm and queues tasks; the runtime's per-user and
 * global limits (src/app/runtime.ts) decide how many reach it. Each task gets a MessagePort over which the worker
 * calls the main thread's market source (one candle cache, one exchange rate limiter), store (one writer) and
 * logger (src/app/query-rpc.ts).
 */
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Config } from '../config/schema.js';
import type { DispatchResult } from '../domain/chat-runtime.js';
import type { Invocation } from '../domain/invocation.js';
import type { Logger } from '../domain/logger.js';
import type { MarketSource } from '../domain/ports.js';
import type { Store } from '../store/types.js';
import { reviveResult, serializeError, type PortCall, type QueryTask, type QueryWorkerData, type WorkerMessage } from './query-rpc.js';

/** Tasks one worker runs at once: a query mostly waits on the main thread (candles, store) between computations. */
const TASKS_PER_WORKER = 4;

const MARKET_METHODS = new Set(['fetchCandles', 'listSymbols', 'resolveSymbol', 'nativeTimeframe', 'latestBarTime', 'calendar']);

/**
 * Worker threads for `queries.threads: auto`: the cores but one (the main thread's), at most 4; on one or two cores,
 * one per core. The main thread mostly waits on sockets (acks, candles, the store), so on two cores a second worker
 * takes half the machine back for a burst of queries: measured by bench/chat-load.ts on 2 cores, 200 different /corr
 * answered with a p95 of 4.3 s with two workers and 5.7 s with one, acks' p95 0.11 s and /healthz under 50 ms both ways.
 */
export function queryThreads(setting: 'auto' | number, cores = availableParallelism()): number {
  if (setting !== 'auto') return setting;
  return cores <= 2 ? Math.max(1, cores) : Math.min(4, cores - 1);
}

export interface QueryPoolOptions {
  config: Config;
  version: string;
  market: MarketSource;
  store: Store;
  log: Logger;
  threads: number;
}

/** What the runtime needs of the pool (tests may pass another). */
export interface QueryRunner {
  run(inv: Invocation, line: string | string[], now: number, renderCharts: boolean): Promise<DispatchResult>;
  close(): Promise<void>;
}

/** The threads start with the first query (a `start` without chat adapters never starts them). */
export class QueryPool implements QueryRunner {
  private started: Piscina | undefined;

  constructor(private readonly opts: QueryPoolOptions) {}

  private get pool(): Piscina {
    this.started ??= this.startPool();
    return this.started;
  }

  private startPool(): Piscina {
    const opts = this.opts;
    // The worker is a .ts file when corrwatch runs from source (tsx), a .js file when built.
    const ext = extname(fileURLToPath(import.meta.url));
    const filename = new URL(`./query-worker${ext}`, import.meta.url).href;
    const tsxLoaded = process.execArgv.some((a) => a.includes('tsx'));
    const workerData: QueryWorkerData = {
      config: opts.config,
      version: opts.version,
      market: {
        id: opts.market.id,
        venue: opts.market.venue,
        optional: (['nativeTimeframe', 'latestBarTime', 'calendar'] as const).filter((m) => typeof opts.market[m] === 'function'),
      },
    };
    return new Piscina({
      filename,
      minThreads: opts.threads,
      maxThreads: opts.threads,
      concurrentTasksPerWorker: TASKS_PER_WORKER,
      idleTimeout: 60_000,
      ...(ext === '.ts' && !tsxLoaded ? { execArgv: [...process.execArgv, '--import', 'tsx'] } : {}),
      workerData,
    });
  }

  async run(inv: Invocation, line: string | string[], now: number, renderCharts: boolean): Promise<DispatchResult> {
    const { port1, port2 } = new MessageChannel();
    let finished!: () => void;
    const done = new Promise<void>((r) => (finished = r));
    port1.on('message', (m: WorkerMessage) => {
      if (m.target === 'done') finished();
      else if (m.target === 'log') this.opts.log.child(m.bindings)[m.level](m.msg, m.ctx);
      else void this.answer(port1, m);
    });
    try {
      const task: QueryTask = { line, invocation: inv, now, renderCharts, port: port2 };
      const result = (await this.pool.run(task, { transferList: [port2] })) as DispatchResult;
      // Every log line the worker sent for this task arrives before its `done`.
      await done;
      return reviveResult(result);
    } finally {
      port1.close();
    }
  }

  private async answer(port: MessagePort, m: PortCall): Promise<void> {
    try {
      const target: object = m.target === 'market' ? this.opts.market : this.opts.store;
      const fn = (target as Record<string, unknown>)[m.method];
      if ((m.target === 'market' && !MARKET_METHODS.has(m.method)) || typeof fn !== 'function') throw new Error(`no ${m.target} method ${m.method}`);
      const value: unknown = await (fn as (...a: unknown[]) => unknown).apply(target, m.args);
      port.postMessage({ id: m.id, value });
    } catch (e) {
      port.postMessage({ id: m.id, error: serializeError(e) });
    }
  }

  async close(): Promise<void> {
    await this.started?.destroy();
  }
}
