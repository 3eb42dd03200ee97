import { parseAlertState, snoozeUntil, unsnooze, initialAlertState, type AlertState } from '../src/alerts/policy.js';
import { UserError } from '../src/domain/errors.js';
import { isoTime } from '../src/domain/timeframe.js';
import type { Store } from '../src/store/types.js';
import { audit } from './audit.js';
import { listBaskets, requireBasket, requireStore } from './basket-lookup.js';
import { displayZone, fmtRho, fmtTime, table } from './format.js';
import { alertsHistoryCsv, csvArg, deliverySummary } from './csv-export.js';
import { jsonArg } from './common-args.js';
import type { ArgSpec, CommandContext, CommandSpec } from './types.js';

const basketArg: ArgSpec = { name: 'basket', type: 'basket', positional: true, required: true, description: 'basket name', autocomplete: 'basket' };
const channelArg: ArgSpec = { name: 'channel', type: 'word', positional: true, description: 'channel id', default: 'the channel you type in' };

/** Channel ids as typed in chat: `<#C123|name>` (Slack), `<#123>` (Discord) or a bare id. */
function channelOf(ctx: CommandContext, raw: string | undefined): string {
  if (!raw) return ctx.invocation.channelId;
  const m = /^<#([A-Za-z0-9]+)(\|[^>]*)?>$/.exec(raw);
  return m ? m[1] : raw.replace(/^#/, '');
}

async function alertStateOf(store: Store, basket: string): Promise<AlertState> {
  const rt = await store.getRuntime(basket);
  return rt ? parseAlertState(rt.alertState) : initialAlertState();
}

/**
 * Change a basket's alert state atomically: `change` is applied to the state stored at the moment of the write
 * (inside the store's write), so a tick of a running watcher writing in between loses nothing and is not undone.
 */
async function changeAlertState(store: Store, basket: string, change: (state: AlertState) => AlertState): Promise<void> {
  const placeholder = { basket, alertState: initialAlertState(), history: [] };
  await store.putRuntimes([placeholder], (stored) => (stored ? { ...stored, history: stored.history, alertState: change(parseAlertState(stored.alertState)) } : { ...placeholder, alertState: change(initialAlertState()) }));
}

const subscribe: CommandSpec = {
  name: 'subscribe',
  summary: "post this basket's alerts in this channel (or the one named)",
  adminOnly: true,
  args: [basketArg, channelArg],
  examples: ['alerts subscribe majors'],
  async handler(ctx, args) {
    const b = await requireBasket(ctx, args.basket as string);
    const channelId = channelOf(ctx, args.channel as string | undefined);
    const where = channelId === ctx.invocation.channelId ? 'this channel' : `channel ${channelId}`;
    const added = await requireStore(ctx).addSubscription({ basket: b.name, platform: ctx.invocation.platform, channelId, createdAt: ctx.clock.now(), createdBy: ctx.invocation.userId });
    if (!added) return { title: 'Already subscribed', text: `${where.charAt(0).toUpperCase() + where.slice(1)} already gets ${b.name} alerts.`, ephemeral: true, severity: 'info' };
    await audit(ctx, 'alerts.subscribe', b.name, { channel: `${ctx.invocation.platform}:${channelId}` });
    return { title: `Subscribed to ${b.name}`, text: `Alerts for ${b.name} (${b.symbols.join(' ')}) will be posted in ${where}.`, severity: 'success', data: { basket: b.name, channelId } };
  },
};

const unsubscribe: CommandSpec = {
  name: 'unsubscribe',
  summary: "stop posting this basket's alerts in this channel (or the one named)",
  adminOnly: true,
  args: [basketArg, channelArg],
  examples: ['alerts unsubscribe majors'],
  async handler(ctx, args) {
    const b = await requireBasket(ctx, args.basket as string);
    const channelId = channelOf(ctx, args.channel as string | undefined);
    const removed = await requireStore(ctx).removeSubscription(b.name, ctx.invocation.platform, channelId);
    const where = channelId === ctx.invocation.channelId ? 'this channel' : `channel ${channelId}`;
    if (!removed) throw new UserError('not_subscribed', `${where} is not subscribed to ${b.name}`);
    await audit(ctx, 'alerts.unsubscribe', b.name, { channel: `${ctx.invocation.platform}:${channelId}` });
    return { title: `Unsubscribed from ${b.name}`, text: `No more ${b.name} alerts in ${where}.`, severity: 'success', data: { basket: b.name, channelId } };
  },
};

const snooze: CommandSpec = {
  name: 'snooze',
  summary: "silence a basket's alerts for a while (the detector keeps running)",
  adminOnly: true,
  args: [basketArg, { name: 'duration', type: 'duration', positional: true, required: true, description: 'how long' }],
  examples: ['alerts snooze majors 4h'],
  async handler(ctx, args) {
    const b = await requireBasket(ctx, args.basket as string);
    const ms = args.duration as number;
    if (ms > 30 * 86_400_000) throw new UserError('bad_duration', 'snooze for at most 30d');
    const store = requireStore(ctx);
    const until = ctx.clock.now() + ms;
    await changeAlertState(store, b.name, (state) => snoozeUntil(state, until));
    await audit(ctx, 'alerts.snooze', b.name, { until: isoTime(until) });
    return { title: `${b.name} snoozed`, text: `No ${b.name} alerts until ${fmtTime(until, displayZone(ctx, b))}. An episode still going then is announced when the snooze ends.`, severity: 'success', data: { basket: b.name, until: isoTime(until) } };
  },
};

const unsnoozeCmd: CommandSpec = {
  name: 'unsnooze',
  summary: "end a basket's snooze now",
  adminOnly: true,
  args: [basketArg],
  examples: ['alerts unsnooze majors'],
  async handler(ctx, args) {
    const b = await requireBasket(ctx, args.basket as string);
    const store = requireStore(ctx);
    const state = await alertStateOf(store, b.name);
    if (!state.snoozedUntil || state.snoozedUntil <= ctx.clock.now()) throw new UserError('not_snoozed', `${b.name} is not snoozed`);
    await changeAlertState(store, b.name, unsnooze);
    await audit(ctx, 'alerts.unsnooze', b.name, {});
    return { title: `${b.name} alerts are on again`, severity: 'success', data: { basket: b.name } };
  },
};

const status: CommandSpec = {
  name: 'status',
  summary: 'alert state of every basket: phase, snooze, subscriptions here, last data',
  adminOnly: false,
  args: [],
  examples: ['alerts status'],
  async handler(ctx) {
    const store = requireStore(ctx);
    const now = ctx.clock.now();
    const rows = [['basket', 'state', 'regime', 'avg ρ', 'snoozed until', 'here', 'last bar']];
    const data = [];
    for (const b of await listBaskets(ctx)) {
      const rt = await store.getRuntime(b.name);
      const st = rt ? parseAlertState(rt.alertState) : initialAlertState();
      const last = rt?.history[rt.history.length - 1];
      const subs = await store.listSubscriptions(b.name);
      const here = subs.some((s) => s.platform === ctx.invocation.platform && s.channelId === ctx.invocation.channelId);
      const snoozedUntil = st.snoozedUntil && st.snoozedUntil > now ? st.snoozedUntil : null;
      const phase = st.stale ? `${st.phase} (stale)` : st.phase;
      const tz = displayZone(ctx, b);
      rows.push([b.name, phase, last?.regime ?? '-', last ? fmtRho(last.avgCorrelation) : '-', snoozedUntil ? fmtTime(snoozedUntil, tz) : '-', here ? 'yes' : 'no', rt?.lastBarAt ? fmtTime(rt.lastBarAt, tz) : '-']);
      data.push({ basket: b.name, phase: st.phase, stale: st.stale, regime: last?.regime ?? null, snoozedUntil: snoozedUntil ? isoTime(snoozedUntil) : null, subscribedHere: here, lastError: rt?.lastError?.message ?? null });
    }
    const errors = data.filter((d) => d.lastError).map((d) => `${d.basket}: ${d.lastError}`);
    return { title: 'Alert status', text: '```\n' + table(rows) + '\n```' + (errors.length ? `\nProblems: ${errors.join('; ')}` : ''), data };
  },
};

export const alertsHistoryCommand: CommandSpec = {
  name: 'history',
  summary: 'the recent alerts of a basket and where they were delivered',
  adminOnly: false,
  args: [basketArg, { name: 'limit', type: 'int', description: 'how many (at most 50)', default: '10' }, jsonArg, csvArg],
  csv: alertsHistoryCsv,
  examples: ['alerts history majors'],
  async handler(ctx, args) {
    const b = await requireBasket(ctx, args.basket as string);
    const limit = Math.max(1, Math.min(50, (args.limit as number | undefined) ?? 10));
    const recs = await requireStore(ctx).listNotifications(b.name, limit);
    if (!recs.length) return { title: `No alerts yet for ${b.name}`, data: [] };
    // The id is what `alerts ack alert:<id>` takes.
    const rows = [['id', 'bar', 'kind', 'avg ρ', 'delivered', 'acknowledged']];
    for (const r of recs) {
      const d = deliverySummary(r);
      const p = r.payload as { avgCorrelation?: number };
      rows.push([r.id, fmtTime(r.at, displayZone(ctx, b)), r.kind, p.avgCorrelation !== undefined ? fmtRho(p.avgCorrelation) : '-', `${d.sent}/${d.deliveries}`, r.acknowledged ? r.acknowledged.by : '-']);
    }
    return { title: `Alerts for ${b.name}`, text: '```\n' + table(rows) + '\n```', data: recs };
  },
};

const outbox: CommandSpec = {
  name: 'outbox',
  summary: 'deliveries still pending or given up (a platform down, a channel that refused, too old to post)',
  adminOnly: false,
  args: [],
  examples: ['alerts outbox'],
  async handler(ctx) {
    // pendingNotifications: every record with a delivery not sent (pending: the outbox tries it; failed: given up).
    const recs = await requireStore(ctx).pendingNotifications();
    const rows = [['alert', 'target', 'status', 'attempts', 'last try', 'error']];
    const data: { id: string; target: string; status: string; attempts: number; lastAttemptAt?: string; error?: string }[] = [];
    for (const r of recs) {
      for (const [target, d] of Object.entries(r.deliveries)) {
        if (d.status === 'sent') continue;
        const status = d.status === 'pending' ? 'pending' : 'given up';
        rows.push([r.id, target, status, String(d.attempts), d.lastAttemptAt === undefined ? '-' : fmtTime(d.lastAttemptAt, displayZone(ctx)), (d.error ?? '-').slice(0, 80)]);
        data.push({ id: r.id, target, status, attempts: d.attempts, ...(d.lastAttemptAt === undefined ? {} : { lastAttemptAt: isoTime(d.lastAttemptAt) }), ...(d.error ? { error: d.error } : {}) });
      }
    }
    if (!data.length) return { title: 'The outbox is empty', text: 'Every alert was delivered.', data };
    const waiting = data.filter((d) => d.status === 'pending').length;
    return {
      title: `Outbox: ${waiting} pending, ${data.length - waiting} given up`,
      text: '```\n' + table(rows) + '\n```\nPending ones are tried on every tick until alerts.giveUpAfter; given-up ones are never posted.',
      data,
    };
  },
};

const ack: CommandSpec = {
  name: 'ack',
  summary: 'acknowledge an alert (what its Acknowledge button does)',
  adminOnly: false,
  // Named, not positional: an id has colons, which a positional token would read as `name:value`.
  args: [{ name: 'alert', type: 'word', required: true, description: 'alert id, e.g. majors:3:firing' }],
  examples: ['alerts ack alert:majors:3:firing'],
  async handler(ctx, args) {
    const id = args.alert as string;
    const { invocation: inv } = ctx;
    const record = await requireStore(ctx).acknowledge(id, { by: inv.userName ?? inv.userId, platform: inv.platform, at: ctx.clock.now() });
    if (!record) throw new UserError('unknown_alert', `there is no alert ${id} in the store (any more)`);
    await audit(ctx, 'alert.acknowledge', record.basket, { id: record.id });
    return { title: 'Acknowledged', text: `You acknowledged ${record.basket} (${record.kind}).`, ephemeral: true, severity: 'success', data: record };
  },
};

export const alertsCommand: CommandSpec = {
  name: 'alerts',
  summary: 'subscribe channels, snooze baskets, acknowledge alerts, see alert status and history',
  adminOnly: false,
  args: [],
  examples: ['alerts subscribe majors', 'alerts snooze majors 4h', 'alerts status', 'alerts outbox'],
  subcommands: [subscribe, unsubscribe, snooze, unsnoozeCmd, ack, status, alertsHistoryCommand, outbox],
};
