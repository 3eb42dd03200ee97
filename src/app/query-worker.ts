/**
 * A query worker (piscina loads this file in each worker thread of the query pool, src/app/query-pool.ts): runs one
 * command line through the same dispatch as the main thread, with the same commands and the real chart renderer,
 * but with the market source, the store and the logger answered by the main thread over the task's port.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { commands, dispatch } from '../../commands/index.js';
import type { CommandContext } from '../../commands/types.js';
import { chartRenderer } from '../chart/index.js';
import type { Config } from '../config/schema.js';
import type { DispatchResult } from '../domain/chat-runtime.js';
import type { Logger } from '../domain/logger.js';
import type { MarketSource } from '../domain/ports.js';
import type { Store } from '../store/types.js';
import { plainLogContext, reviveError, type LogLine, type PortAnswer, type QueryTask, type QueryWorkerData } from './query-rpc.js';

const data = workerData as QueryWorkerData;
const config = data.config as Config;

/** Calls to the main thread over one task's port, matched to their answers by id. */
function portClient(port: MessagePort) {
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  port.on('message', (m: PortAnswer) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if ('error' in m) p.reject(reviveError(m.error));
    else p.resolve(m.value);
  });
  const call = (target: 'market' | 'store', method: string, args: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve, reject });
      port.postMessage({ id, target, method, args });
    });
  const log = (bindings: Record<string, unknown>): Logger => {
    const line = (level: LogLine['level']) => (msg: string, ctx?: Record<string, unknown>) => {
      const m: LogLine = { target: 'log', level, msg, bindings, ctx: plainLogContext(ctx) };
      port.postMessage(m);
    };
    return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error'), child: (more) => log({ ...bindings, ...more }) };
  };
  return { call, log };
}

function marketProxy(call: ReturnType<typeof portClient>['call']): MarketSource {
  const m = data.market;
  // AbortSignals cannot cross threads; queries do not pass one.
  const market: MarketSource = {
    id: m.id,
    venue: m.venue,
    fetchCandles: (symbol, timeframe, since, until) => call('market', 'fetchCandles', [symbol, timeframe, since, until]) as ReturnType<MarketSource['fetchCandles']>,
    listSymbols: () => call('market', 'listSymbols', []) as Promise<string[]>,
    resolveSymbol: (symbol) => call('market', 'resolveSymbol', [symbol]) as Promise<string>,
  };
  if (m.optional.includes('nativeTimeframe')) market.nativeTimeframe = () => call('market', 'nativeTimeframe', []) as ReturnType<NonNullable<MarketSource['nativeTimeframe']>>;
  if (m.optional.includes('latestBarTime')) market.latestBarTime = (tf) => call('market', 'latestBarTime', [tf]) as ReturnType<NonNullable<MarketSource['latestBarTime']>>;
  if (m.optional.includes('calendar')) market.calendar = (symbol) => call('market', 'calendar', [symbol]) as ReturnType<NonNullable<MarketSource['calendar']>>;
  return market;
}

/** Every Store method, forwarded (`then` is left undefined so that the proxy is not taken for a promise). */
function storeProxy(call: ReturnType<typeof portClient>['call']): Store {
  return new Proxy({} as Store, {
    get: (_target, name) => (typeof name !== 'string' || name === 'then' ? undefined : (...args: unknown[]) => call('store', name, args)),
  });
}

export default async function runQuery(task: QueryTask): Promise<DispatchResult> {
  const port = task.port;
  const { call, log } = portClient(port);
  const inv = task.invocation;
  const ctx: CommandContext = {
    invocation: inv,
    config,
    clock: { now: () => task.now },
    log: log({ platform: inv.platform, user: inv.userId, channel: inv.channelId }),
    market: marketProxy(call),
    services: { version: data.version, store: storeProxy(call), charts: chartRenderer },
    renderCharts: task.renderCharts,
    surface: inv.platform === 'cli' ? 'cli' : 'chat',
  };
  try {
    return await dispatch(commands, task.line, ctx);
  } finally {
    // Messages on one port arrive in order: the main thread closes it once this arrives, after every log line.
    port.postMessage({ target: 'done' });
  }
}
