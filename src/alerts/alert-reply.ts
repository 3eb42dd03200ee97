import { stressWithinLine } from '../forecast/regime-outlook.js';
import type { ChartImage, Reply, ReplyAction, Severity } from '../domain/reply.js';
import { DEFAULT_TIME_ZONE, formatDateTime } from '../domain/timezone.js';
import type { NotificationRecord } from '../store/types.js';
import type { Driver } from '../regime/types.js';

const sign = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(2);

function hours(ms: number): string {
  const h = ms / 3_600_000;
  if (h < 48) return `${h.toFixed(h < 10 ? 1 : 0)}h`;
  return `${(h / 24).toFixed(1)}d`;
}

/** Buttons under a firing alert: Acknowledge (anyone) and Snooze 1h / 4h / 24h (admins). */
export function alertActions(record: NotificationRecord): ReplyAction[] {
  return [
    { id: `ack|${record.id}`, label: 'Acknowledge', adminOnly: false, style: 'primary' },
    ...['1h', '4h', '24h'].map((d) => ({ id: `snooze|${record.basket}|${d}`, label: `Snooze ${d}`, adminOnly: true })),
  ];
}

/** Parse a button id made by alertActions. */
export function parseActionId(id: string): { kind: 'ack'; recordId: string } | { kind: 'snooze'; basket: string; duration: string } | undefined {
  const parts = id.split('|');
  if (parts[0] === 'ack' && parts.length === 2) return { kind: 'ack', recordId: parts[1] };
  if (parts[0] === 'snooze' && parts.length === 3) return { kind: 'snooze', basket: parts[1], duration: parts[2] };
  return undefined;
}

/**
 * The message for one alert notification: what happened, avg ρ against its baseline, the pairs that moved most,
 * the episode's duration and peak when it ends, and the regime chart when given. Times are in `timeZone` (the
 * basket's display zone), the zone named.
 */
export function alertReply(record: NotificationRecord, chart?: ChartImage, timeZone: string = DEFAULT_TIME_ZONE): Reply {
  const time = (ms: number) => formatDateTime(ms, timeZone);
  const p = record.payload as {
    basket: string;
    symbols: string[];
    timeframe: string;
    regime: string;
    avgCorrelation: number;
    z: number;
    baselineRho?: number;
    recentAvgCorrelation?: number;
    drivers?: Driver[];
    stressProbability?: number | null;
    /** P(stressed within 24h) from the regime model when the alert was decided (src/forecast/regime-outlook.ts). */
    stressedWithinDay?: number;
    why?: string;
    /** Why the data stopped (a stale alert): the source's error, or which symbols have no new bar. */
    dataProblem?: string;
    /** A stale alert whose bars still come but give no reading (a symbol that did not move over the window), or the
     *  recovery after one. */
    noReading?: boolean;
    startedAt?: number;
    durationMs?: number;
    peakAvgCorrelation?: number;
  };
  const b = record.basket;
  let title: string;
  let severity: Severity;
  switch (record.kind) {
    case 'firing':
      title = p.regime === 'stressed' ? `🔴 ${b}: correlation stress` : `🟠 ${b}: correlations converging`;
      severity = p.regime === 'stressed' ? 'critical' : 'warning';
      break;
    case 'escalated':
      title = `🔴 ${b}: escalated to stress`;
      severity = 'critical';
      break;
    case 'resolved':
      title = `✅ ${b}: resolved${p.durationMs !== undefined ? ` after ${hours(p.durationMs)}` : ''}`;
      severity = 'success';
      break;
    case 'stale':
      title = p.noReading ? `⚠️ ${b}: no regime reading` : `⚠️ ${b}: market data is missing`;
      severity = 'warning';
      break;
    case 'recovered':
      title = p.noReading ? `${b}: regime readings are back` : `${b}: market data is back`;
      severity = 'info';
      break;
  }
  const fields = [];
  if (record.kind !== 'stale') {
    const base = p.baselineRho !== undefined ? ` (baseline ${sign(p.baselineRho)})` : '';
    fields.push({ name: 'avg ρ', value: `${sign(p.avgCorrelation)}${base}`, inline: true });
    // The window average lags by up to a window; the EWMA level says where correlations are now (at a resolution
    // the window can still be high while the bars have long come back).
    if (typeof p.recentAvgCorrelation === 'number') fields.push({ name: 'avg ρ, recent bars', value: sign(p.recentAvgCorrelation), inline: true });
    fields.push({ name: 'convergence evidence', value: p.z.toFixed(1), inline: true });
    if (p.stressProbability !== undefined && p.stressProbability !== null) {
      fields.push({ name: 'stress probability', value: `${Math.round(p.stressProbability * 100)}%`, inline: true });
    }
    if (typeof p.stressedWithinDay === 'number') fields.push({ name: 'outlook', value: stressWithinLine(p.stressedWithinDay), inline: true });
  }
  if (record.kind === 'resolved') {
    if (p.peakAvgCorrelation !== undefined) fields.push({ name: 'peak avg ρ', value: sign(p.peakAvgCorrelation), inline: true });
    if (p.startedAt !== undefined) fields.push({ name: 'episode', value: `${time(p.startedAt)} → ${time(record.at)}`, inline: false });
  }
  if (p.drivers?.length && (record.kind === 'firing' || record.kind === 'escalated')) {
    fields.push({
      name: 'pairs that moved most',
      value: p.drivers.map((d) => `${d.a}/${d.b} ${sign(d.baselineRho)} → ${sign(d.rho)}`).join('\n'),
      inline: false,
    });
  }
  let text: string;
  if (record.kind === 'stale') {
    const cause = p.dataProblem ? ` Last problem: ${p.dataProblem.replace(/\.$/, '')}.` : '';
    text = p.noReading
      ? `No regime reading for ${b} (${p.symbols.join(', ')}) since ${time(record.at)}: ${p.dataProblem!.replace(/\.$/, '')}. Alerts stay as they were until readings come back; a missing reading is never reported as resolved.`
      : `No fresh ${p.timeframe} bars for ${b} (${p.symbols.join(', ')}) since ${time(record.at)}.${cause} Alerts stay as they were until data comes back; missing data is never reported as resolved.`;
  }
  else if (record.kind === 'recovered') text = p.noReading ? `Every symbol of ${b} moves again: its regime is read on every bar.` : `Fresh ${p.timeframe} bars for ${b} again.`;
  else if (record.kind === 'resolved') text = `Correlations in ${b} are back within their usual range.`;
  else text = (p.why ? p.why.charAt(0).toUpperCase() + p.why.slice(1) : `Regime: ${p.regime}`) + `. Diversification across ${p.symbols.join(', ')} is weaker than usual.`;
  return {
    title,
    text,
    fields,
    chart,
    severity,
    footer: `${p.timeframe} bars · bar ${time(record.at)}`,
    actions: record.kind === 'firing' || record.kind === 'escalated' ? alertActions(record) : undefined,
  };
}
