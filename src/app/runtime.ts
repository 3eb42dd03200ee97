import { commands, dispatch } from '../../commands/index.js';
import type { DispatchResult } from '../../commands/dispatch.js';
import type { CommandContext } from '../../commands/types.js';
import type { ChartRenderer } from '../chart/index.js';
import { parseActionId } from '../alerts/alert-reply.js';
import { initialAlertState, parseAlertState, snoozeUntil } from '../alerts/policy.js';
import type { Config } from '../config/schema.js';
import type { Invocation } from '../domain/invocation.js';
import type { Clock, MarketSource } from '../domain/ports.js';
import type { Reply } from '../domain/reply.js';
import { durationMs, isoTime } from '../domain/timeframe.js';
import type { Logger } from '../log.js';
import type { NotificationRecord, Store } from '../store/types.js';
import { healthOf } from '../ops/health.js';
import type { OpsEndpoints } from '../ops/routes.js';

export interface ActionResult {
  /** What to tell the clicker (private). */
  reply: Reply;
  /** The alert record after the click (acknowledged), for updating the message. */
  record?: NotificationRecord;
  outcome: 'ok' | 'refused' | 'user_error';
}

/**
 * What every chat adapter needs, in one place: run a command line for an invocation (same dispatch as the CLI and
 * console), handle alert buttons with the same permission checks, and report health. Adapters translate platform
 * payloads to an Invocation and render the Reply; nothing else.
 */
export interface ChatRuntime {
  readonly config: Config;
  readonly log: Logger;
  readonly clock: Clock;
  readonly store: Store;
  readonly market: MarketSource;
  readonly version: string;
  context(inv: Invocation): CommandContext;
  run(inv: Invocation, line: string | string[]): Promise<DispatchResult>;
  handleAction(inv: Invocation, actionId: string): Promise<ActionResult>;
  /** ISO time of the watcher's last tick (the bar time it evaluated up to). */
  lastTickAt(): string | undefined;
  /** GET /healthz and GET /metrics, served by whichever HTTP server runs (Slack's, or one of corrwatch's own). */
  readonly ops: OpsEndpoints;
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
}

export function createRuntime(deps: RuntimeDeps): ChatRuntime {
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
  return {
    config: deps.config,
    log: deps.log,
    clock: deps.clock,
    store: deps.store,
    market: deps.market,
    version: deps.version,
    context,
    run: async (inv, line) => {
      const t0 = performance.now();
      const r = await dispatch(commands, line, context(inv));
      const first = (Array.isArray(line) ? line[0] : line.trim().split(/\s+/)[0]) ?? '';
      const command = commands.some((c) => c.name === first.replace(/^\//, '')) ? first.replace(/^\//, '') : 'unknown';
      deps.onCommand?.(command, inv.platform, r.outcome, (performance.now() - t0) / 1000);
      return r;
    },
    lastTickAt: () => deps.lastTickAt?.(),
    ops: deps.ops ?? {
      health: () => healthOf({ now: 0, startedAt: 0, lastCompletedAt: undefined, periodMs: 0, version: deps.version, lastTickAt: deps.lastTickAt?.() }),
      metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' }),
    },
    async handleAction(inv, actionId) {
      const action = parseActionId(actionId);
      if (!action) return { reply: { title: 'Unknown button', text: 'This button is not one corrwatch knows.', ephemeral: true, severity: 'error' }, outcome: 'user_error' };
      if (action.kind === 'ack') {
        const record = await deps.store.acknowledge(action.recordId, { by: inv.userName ?? inv.userId, platform: inv.platform, at: deps.clock.now() });
        if (!record) return { reply: { title: 'Alert not found', text: 'This alert is no longer in the store.', ephemeral: true, severity: 'error' }, outcome: 'user_error' };
        await deps.store.appendAudit({ at: deps.clock.now(), platform: inv.platform, userId: inv.userId, action: 'alert.acknowledge', basket: record.basket, details: { id: record.id } });
        return { reply: { title: 'Acknowledged', text: `You acknowledged ${record.basket} (${record.kind}).`, ephemeral: true, severity: 'success' }, record, outcome: 'ok' };
      }
      if (!inv.isAdmin) {
        deps.log.warn('refused admin-only button', { action: actionId, platform: inv.platform, user: inv.userId });
        return { reply: { title: 'Not allowed', text: 'Snoozing alerts is for corrwatch admins only.', ephemeral: true, severity: 'error' }, outcome: 'refused' };
      }
      const ms = durationMs(action.duration);
      const basket = await deps.store.getBasket(action.basket);
      if (!ms || !basket) return { reply: { title: 'Cannot snooze', text: `There is no basket ${action.basket} any more.`, ephemeral: true, severity: 'error' }, outcome: 'user_error' };
      const until = deps.clock.now() + ms;
      const rt = (await deps.store.getRuntime(basket.name)) ?? { basket: basket.name, alertState: initialAlertState(), history: [] };
      await deps.store.putRuntime({ ...rt, alertState: snoozeUntil(parseAlertState(rt.alertState), until) });
      await deps.store.appendAudit({ at: deps.clock.now(), platform: inv.platform, userId: inv.userId, action: 'alerts.snooze', basket: basket.name, details: { until: isoTime(until), via: 'button' } });
      return { reply: { title: `${basket.name} snoozed`, text: `No ${basket.name} alerts until ${isoTime(until)}.`, ephemeral: true, severity: 'success' }, outcome: 'ok' };
    },
  };
}
