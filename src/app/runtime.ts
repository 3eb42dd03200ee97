import { randomBytes } from 'node:crypto';
import { commands, dispatch } from '../../commands/index.js';
import { resolveCommand } from '../../commands/dispatch.js';
import { tokenize } from '../../commands/parse.js';
import type { CommandContext } from '../../commands/types.js';
import type { ChartRenderer } from '../chart/index.js';
import { parseActionId } from '../alerts/alert-reply.js';
import type { Config } from '../config/schema.js';
import type { ActionResult, ChatRuntime, DispatchResult } from '../domain/chat-runtime.js';
import type { Invocation } from '../domain/invocation.js';
import type { Clock, MarketSource } from '../domain/ports.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { healthOf } from '../ops/health.js';
import type { OpsEndpoints } from '../ops/routes.js';
import { MAX_COMMANDS_PER_USER, MAX_COMMANDS_RUNNING } from '../domain/limits.js';
import { Semaphore } from '../domain/serial-queue.js';
import type { QueryRunner } from './query-pool.js';

/**
 * The runtime `corrwatch start` and the console build: the ChatRuntime port the chat adapters use
 * (src/domain/chat-runtime.ts), plus what the app itself needs (the whole config and store, a command context for
 * the console).
 */
export interface AppRuntime extends ChatRuntime {
  readonly config: Config;
  readonly store: Store;
  readonly version: string;
  context(inv: Invocation): CommandContext;
  /** ISO time of the watcher's last tick (the bar time it evaluated up to). */
  lastTickAt(): string | undefined;
}

export interface RuntimeDeps {
  config: Config;
  log: Logger;
  clock: Clock;
  store: Store;
  market: MarketSource;
  charts?: ChartRenderer;
  version: string;
  lastTickAt?: () => string | undefined;
  /** Health and metrics of the running watcher; without one (a runtime with no watcher) /healthz reports starting. */
  ops?: OpsEndpoints;
  /** Told how long each command took (for the command-latency metric). */
  onCommand?: (command: string, platform: string, outcome: string, seconds: number) => void;
  /** Where chat commands marked `heavy` run (src/app/query-pool.ts); without one they run on this thread. */
  queries?: QueryRunner;
}

/** Whether a line names a `heavy` command (a query with statistics and a chart) rather than its help or an error. */
export function isHeavyLine(line: string | string[], surface: 'chat' | 'cli'): boolean {
  try {
    const { spec, rest } = resolveCommand(commands, typeof line === 'string' ? tokenize(line) : line, surface);
    return Boolean(spec.heavy) && !rest.includes('--help');
  } catch {
    return false; // the main thread words the error
  }
}

/** The command line an alert button stands for: the same command a user could type, so the same checks apply. */
export function actionCommand(action: NonNullable<ReturnType<typeof parseActionId>>): string[] {
  return action.kind === 'ack' ? ['alerts', 'ack', `--alert=${action.recordId}`] : ['alerts', 'snooze', action.basket, action.duration];
}

export function createRuntime(deps: RuntimeDeps): AppRuntime {
  const context = (inv: Invocation): CommandContext => ({
    invocation: inv,
    config: deps.config,
    clock: deps.clock,
    // Every line a command logs says which invocation it belongs to.
    log: deps.log.child({ platform: inv.platform, user: inv.userId, channel: inv.channelId }),
    market: deps.market,
    services: { version: deps.version, store: deps.store, charts: deps.charts },
    renderCharts: Boolean(deps.charts),
    surface: inv.platform === 'cli' ? 'cli' : 'chat',
  });
  // Concurrency (issue 11 §2), for chat only (the CLI and the console run one command at a time anyway): each user
  // has at most MAX_COMMANDS_PER_USER running (one more is refused), the process MAX_COMMANDS_RUNNING (more wait).
  const perUser = new Map<string, number>();
  const slots = new Semaphore(MAX_COMMANDS_RUNNING);
  const limited = async (inv: Invocation, go: () => Promise<DispatchResult>): Promise<DispatchResult> => {
    if (inv.platform === 'cli' || inv.platform === 'console') return go();
    const key = `${inv.platform}:${inv.userId}`;
    const mine = perUser.get(key) ?? 0;
    if (mine >= MAX_COMMANDS_PER_USER) {
      return {
        reply: { title: 'One moment', text: `You have ${mine} commands running; wait for one of them to answer, then try again.`, ephemeral: true, severity: 'warning' },
        outcome: 'refused',
      };
    }
    perUser.set(key, mine + 1);
    try {
      return await slots.run(go);
    } finally {
      const left = (perUser.get(key) ?? 1) - 1;
      if (left > 0) perUser.set(key, left);
      else perUser.delete(key);
    }
  };
  // Heavy chat queries run in the worker pool; the CLI and the console run one command at a time, on this thread.
  const pooled = async (inv: Invocation, line: string | string[], pool: QueryRunner): Promise<DispatchResult> => {
    try {
      return await pool.run(inv, line, deps.clock.now(), Boolean(deps.charts));
    } catch (e) {
      // The worker died (out of memory, a native crash): piscina replaces it; this caller gets an error id.
      const errorId = randomBytes(4).toString('hex');
      deps.log.error('query worker failed', { errorId, platform: inv.platform, user: inv.userId, error: e });
      return {
        reply: { title: 'Something went wrong', text: `corrwatch could not answer this (error id ${errorId}). The details are in the log.`, ephemeral: true, severity: 'error' },
        outcome: 'internal_error',
        errorId,
      };
    }
  };
  // Identical heavy queries asked while one is being answered share its answer (a burst of `/corr regime majors`
  // when a market moves is answered once, not once per asker). Only queries in flight are shared: nothing is cached.
  const inFlight = new Map<string, Promise<DispatchResult>>();
  const shared = (inv: Invocation, line: string | string[], pool: QueryRunner): Promise<DispatchResult> => {
    const key = `${inv.isAdmin ? 'admin' : 'user'}|${(typeof line === 'string' ? tokenize(line) : line).join('\u0000')}`;
    const running = inFlight.get(key);
    // A refusal (the first asker's own limit) is not an answer to share: the others ask for themselves.
    if (running) return running.then((r) => (r.outcome === 'refused' ? shared(inv, line, pool) : { ...r, reply: { ...r.reply } }));
    const p = limited(inv, () => pooled(inv, line, pool));
    inFlight.set(key, p);
    void p.finally(() => inFlight.delete(key));
    return p;
  };
  const run = async (inv: Invocation, line: string | string[]): Promise<DispatchResult> => {
    const t0 = performance.now();
    const pool = deps.queries;
    const inPool = pool !== undefined && inv.platform !== 'cli' && inv.platform !== 'console' && isHeavyLine(line, 'chat');
    const r = await (inPool ? shared(inv, line, pool) : limited(inv, () => dispatch(commands, line, context(inv))));
    const first = (Array.isArray(line) ? line[0] : line.trim().split(/\s+/)[0]) ?? '';
    const command = commands.some((c) => c.name === first.replace(/^\//, '')) ? first.replace(/^\//, '') : 'unknown';
    deps.onCommand?.(command, inv.platform, r.outcome, (performance.now() - t0) / 1000);
    return r;
  };
  return {
    config: deps.config,
    log: deps.log,
    clock: deps.clock,
    store: deps.store,
    market: deps.market,
    version: deps.version,
    context,
    run,
    lastTickAt: () => deps.lastTickAt?.(),
    ops: deps.ops ?? {
      health: () => healthOf({ now: 0, startedAt: 0, lastCompletedAt: undefined, periodMs: 0, version: deps.version, lastTickAt: deps.lastTickAt?.() }),
      metrics: () => Promise.resolve({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' }),
    },
    /**
     * An alert button runs the command it stands for (`alerts ack <id>`, `alerts snooze <basket> <duration>`)
     * through `run`, like a slash command: one permission check, one audit entry, one latency metric. The answer
     * goes only to the clicker (the alert message itself is updated by the adapter).
     */
    async handleAction(inv, actionId): Promise<ActionResult> {
      const action = parseActionId(actionId);
      if (!action) return { reply: { title: 'Unknown button', text: 'This button is not one corrwatch knows.', ephemeral: true, severity: 'error' }, outcome: 'user_error' };
      const r = await run(inv, actionCommand(action));
      const result: ActionResult = { ...r, reply: { ...r.reply, ephemeral: true } };
      if (r.outcome === 'ok' && action.kind === 'ack') result.acknowledged = (await deps.store.getNotification(action.recordId))?.acknowledged;
      return result;
    },
  };
}
