import { alertReply } from '../alerts/alert-reply.js';
import { chartRenderer, type ChartRenderer, type RegimeChartInput } from '../chart/index.js';
import type { RegimeMarkers } from '../chart/regime-markers-plugin.js';
import type { Reply } from '../domain/reply.js';
import { timeframeMs } from '../domain/timeframe.js';
import { DEFAULT_TIME_ZONE, formatShortDateTime } from '../domain/timezone.js';
import type { Basket, NotificationRecord, RegimePoint, Store } from '../store/types.js';

/** Bars of context an alert chart shows before the episode (and at least this many bars in all). */
const CONTEXT_BARS = 72;
/** Most bars an alert chart shows: enough for a long episode, few enough that one bar stays visible. */
const MAX_BARS = 500;

/** The zone an alert is shown in: the basket's own, else the config's display.timezone. */
export function alertTimeZone(basket: Pick<Basket, 'timezone'> | undefined, displayZone: string | undefined): string {
  return basket?.timezone ?? displayZone ?? DEFAULT_TIME_ZONE;
}

const two = (x: number) => x.toFixed(2);

/**
 * The regime chart of an alert, from the basket's stored history up to the alert's bar.
 *
 * What it marks (issue 14): the episode's onset bar (payload.startedAt, the first bar the detector called converging
 * or stressed) as a vertical line, and the level ρ̄ had when the detector crossed the threshold the alert is about,
 * as a horizontal line. The detector has no entry level in ρ̄ terms (the CUSUM accumulates evidence bar by bar, so
 * no single ρ̄ opens an episode: src/regime/types.ts), and the stored points carry no `enterRho`; so the line is ρ̄
 * at the crossing bar, labelled with the threshold crossed: the evidence level enterZ for a converging alert, the
 * stress-state probability for a stressed or escalated one (the basket's thresholds as stored now). The crossing bar
 * is the onset for a converging alert and the episode's first stressed bar for a stressed one.
 *
 * The window is the episode plus CONTEXT_BARS bars before it (at least CONTEXT_BARS bars, at most MAX_BARS): with
 * the 500 newest bars a one-bar stressed stretch at the right edge was a pixel or two wide.
 */
export function alertChartInput(record: NotificationRecord, history: readonly RegimePoint[], basket: Basket | undefined, zone: string = DEFAULT_TIME_ZONE): RegimeChartInput | undefined {
  const p = record.payload as { timeframe?: string; regime?: string; startedAt?: number };
  const points = history.filter((x) => x.at <= record.at);
  if (points.length < 2) return undefined;
  const startedAt = typeof p.startedAt === 'number' && Number.isFinite(p.startedAt) ? p.startedAt : undefined;
  let first = Math.max(0, points.length - CONTEXT_BARS);
  let onsetIndex = -1;
  if (startedAt !== undefined && record.kind !== 'stale' && record.kind !== 'recovered') {
    onsetIndex = points.findIndex((x) => x.at >= startedAt);
    if (onsetIndex >= 0) first = Math.min(first, Math.max(0, onsetIndex - CONTEXT_BARS));
  }
  first = Math.max(first, points.length - MAX_BARS);
  const shown = points.slice(first);
  const timeframe = p.timeframe ?? basket?.timeframe;
  let barMs: number | undefined;
  try {
    barMs = timeframe ? timeframeMs(timeframe) : undefined;
  } catch {
    barMs = undefined;
  }
  const markers: RegimeMarkers = {};
  if (onsetIndex >= first && startedAt !== undefined) {
    markers.onset = { at: points[onsetIndex].at, label: `episode start ${formatShortDateTime(points[onsetIndex].at, zone)}` };
    if (record.kind === 'firing' || record.kind === 'escalated') {
      const stressed = record.kind === 'escalated' || p.regime === 'stressed';
      const crossing = stressed ? points.findIndex((x, i) => i >= onsetIndex && x.regime === 'stressed') : onsetIndex;
      const at = points[crossing >= 0 ? crossing : onsetIndex];
      const t = basket?.thresholds;
      const threshold = stressed
        ? `stress-state probability ≥ ${t ? t.stressProbability : 'its threshold'}`
        : `convergence evidence ≥ ${t ? t.enterZ : 'enterZ'}`;
      markers.level = { value: at.avgCorrelation, label: `ρ̄ ${two(at.avgCorrelation)} when ${threshold} (${formatShortDateTime(at.at, zone)})` };
    }
  }
  return {
    timestamps: shown.map((x) => x.at),
    avgCorrelation: shown.map((x) => x.avgCorrelation),
    regimes: shown.map((x) => x.regime),
    basket: record.basket,
    title: `${record.basket}: average correlation and regime`,
    ...(barMs !== undefined ? { barMs } : {}),
    ...(markers.onset || markers.level ? { markers } : {}),
  };
}

/** The message of an alert with its regime chart, times in the basket's display zone. */
export async function renderAlertWithChart(store: Store, record: NotificationRecord, displayZone?: string, renderer: ChartRenderer = chartRenderer): Promise<Reply> {
  const [rt, basket] = await Promise.all([store.getRuntime(record.basket), store.getBasket(record.basket)]);
  const timeZone = alertTimeZone(basket, displayZone);
  const input = alertChartInput(record, rt?.history ?? [], basket, timeZone);
  if (!input) return alertReply(record, undefined, timeZone);
  const chart = await renderer.regime(input, { timeZone });
  return alertReply(record, chart, timeZone);
}
