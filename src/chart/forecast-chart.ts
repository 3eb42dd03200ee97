import type { ChartConfiguration, ChartDataset, LegendItem } from 'chart.js';
import type { ChartImage } from '../domain/reply.js';
import { withAlpha } from './colors.js';
import { correlationAxis, layoutPadding, legendOptions, titleOptions } from './common.js';
import { resolveSize, type RenderOptions } from './options.js';
import { renderToPng } from './render.js';
import { correlationRange, fileSafe, fmt, gap, lastFinite, requireData, requireSameLength, usableIndices } from './sanitize.js';
import { getTheme } from './theme.js';
import { formatUtc, timeAxis, timeAxisZone } from './time-axis.js';
import { VALUE_TAG_ROOM, valueTagPlugin } from './value-tag-plugin.js';

export interface ForecastChartInput {
  /** History: epoch ms ascending, the window average ρ̄ per bar, the Kalman-smoothed ρ̄ and its band (same length). */
  timestamps: number[];
  avgCorrelation: number[];
  smoothed: number[];
  bandLow: number[];
  bandHigh: number[];
  /** The forecast path: epoch ms after the last history point, mean and interval per step (same length, ≥ 1). */
  pathTimestamps: number[];
  pathMean: number[];
  pathLow: number[];
  pathHigh: number[];
  /** Nominal interval coverage, e.g. 0.9 (for the legend: "90% interval"). */
  coverage: number;
  /** Bar size, e.g. "1h" (axis), and the horizon label, e.g. "24h". */
  timeframe: string;
  horizon: string;
  title?: string;
  /** Basket name for the default title and the file name (forecast-<basket>.png). */
  basket?: string;
}

type Pt = { x: number; y: number | null };

const CHART = 'forecast chart';

/** Helper datasets (fill targets, markers) that get no legend entry. */
const UNLISTED = new Set(['band-low', 'interval-low', 'now', 'horizon']);

/** The figures the subtitle and the alt text both state. */
interface Summary {
  now: number | undefined;
  smoothed: number | undefined;
  bandLow: number | undefined;
  bandHigh: number | undefined;
  mean: number | undefined;
  low: number | undefined;
  high: number | undefined;
  interval: string;
}

/**
 * Where ρ̄ has been and where it is heading: the window ρ̄ (thin), the Kalman-smoothed ρ̄ with its band, a "now"
 * marker at the last history point, then the forecast fan (dashed mean, shaded interval in another hue) opening
 * from the current value, with the value at the horizon tagged on the right edge.
 */
export async function renderForecastChart(input: ForecastChartInput, opts?: RenderOptions): Promise<ChartImage> {
  const size = resolveSize(opts);
  const theme = getTheme(opts?.theme);
  const colors = theme.forecast;
  const n = input.timestamps.length;
  for (const [name, arr] of [['avgCorrelation', input.avgCorrelation], ['smoothed', input.smoothed], ['bandLow', input.bandLow], ['bandHigh', input.bandHigh]] as const) {
    requireSameLength(CHART, name, arr.length, n);
  }
  const m = input.pathTimestamps.length;
  requireData(CHART, 'pathTimestamps', m);
  for (const [name, arr] of [['pathMean', input.pathMean], ['pathLow', input.pathLow], ['pathHigh', input.pathHigh]] as const) {
    requireSameLength(CHART, name, arr.length, m, 'pathTimestamps');
  }
  if (!(input.coverage > 0 && input.coverage < 1)) {
    throw new RangeError(`${CHART}: coverage must be between 0 and 1 (exclusive), got ${input.coverage}`);
  }

  const idx = usableIndices(CHART, input.timestamps);
  const history = (arr: number[]): Pt[] => idx.map((i) => ({ x: input.timestamps[i], y: gap(arr[i]) }));
  const avg = history(input.avgCorrelation);
  const smoothed = history(input.smoothed);
  const bandLow = history(input.bandLow);
  const bandHigh = history(input.bandHigh);
  const t0 = avg[0].x;
  const tNow = avg[avg.length - 1].x;

  const pathIdx = pathIndices(input.pathTimestamps, tNow);
  const path = (arr: number[]): Pt[] => pathIdx.map((i) => ({ x: input.pathTimestamps[i], y: gap(arr[i]) }));
  const mean = path(input.pathMean);
  const low = path(input.pathLow);
  const high = path(input.pathHigh);
  const tEnd = mean[mean.length - 1].x;

  const current = lastFinite(avg.map((p) => p.y));
  const level = lastFinite(smoothed.map((p) => p.y));
  const band = level ? [bandLow[level.index].y, bandHigh[level.index].y] : [null, null];
  const horizon = (pts: Pt[]): number | undefined => pts[pts.length - 1].y ?? undefined;
  const interval = `${percent(input.coverage)}% interval`;
  const summary: Summary = {
    now: current?.value,
    smoothed: level?.value,
    bandLow: band[0] !== null && band[1] !== null ? band[0] : undefined,
    bandHigh: band[0] !== null && band[1] !== null ? band[1] : undefined,
    mean: horizon(mean),
    low: horizon(low),
    high: horizon(high),
    interval,
  };

  // The fan opens from the value now (the last history point, when it has one), so history and forecast join.
  const origin = current && current.index === avg.length - 1 ? current.value : gap(smoothed[smoothed.length - 1].y);
  const anchor: Pt[] = origin === null ? [] : [{ x: tNow, y: origin }];
  const [yMin, yMax] = correlationRange([...avg, ...smoothed, ...bandLow, ...bandHigh, ...mean, ...low, ...high].map((p) => p.y));

  const line = { pointRadius: 0, borderJoinStyle: 'round' as const, spanGaps: false, parsing: false as const, normalized: true, fill: false as const };
  const area = (label: string, data: Pt[], color: string, fill: '+1' | false, order: number): ChartDataset<'line', Pt[]> => ({
    ...line,
    label,
    data,
    order,
    fill,
    borderWidth: 1,
    borderColor: withAlpha(color, 0.55),
    backgroundColor: color,
    pointStyle: 'rect',
  });
  const marker = (label: string, pt: Pt, color: string, radius: number): ChartDataset<'line', Pt[]> => ({
    ...line,
    label,
    data: [pt],
    order: 0,
    pointRadius: radius,
    // Markers can sit on the plot edge; let them overflow instead of being cut in half.
    clip: 10,
    pointBackgroundColor: color,
    pointBorderColor: theme.background,
    pointBorderWidth: 2,
    borderColor: color,
  });

  // Legend order is the array order; `order` sets what is drawn on top (lowest on top): markers, the forecast
  // mean, the smoothed line, the noisy window line, then the two shaded areas underneath.
  const datasets: ChartDataset<'line', Pt[]>[] = [
    { ...line, label: 'ρ̄ (window)', data: avg, order: 3, borderWidth: 1.25, borderColor: colors.window, backgroundColor: colors.window, pointStyle: 'line' },
    { ...line, label: 'smoothed', data: smoothed, order: 2, borderWidth: 3, borderColor: colors.smoothed, backgroundColor: colors.smoothed, pointStyle: 'line' },
    area('band', bandHigh, colors.band, '+1', 6),
    area('band-low', bandLow, colors.band, false, 6),
    { ...line, label: 'forecast', data: [...anchor, ...mean], order: 1, borderWidth: 2.5, borderDash: [8, 5], borderColor: colors.mean, backgroundColor: colors.mean, pointStyle: 'line' },
    area(interval, [...anchor, ...high], colors.interval, '+1', 5),
    area('interval-low', [...anchor, ...low], colors.interval, false, 5),
  ];
  if (origin !== null) datasets.push(marker('now', { x: tNow, y: origin }, colors.mean, 4));
  if (summary.mean !== undefined) datasets.push(marker('horizon', { x: tEnd, y: summary.mean }, colors.mean, 5));

  const legend = legendOptions(theme, (item: LegendItem) => !UNLISTED.has(item.text));
  const title = input.title ?? (input.basket ? `${input.basket}: average correlation forecast` : 'Average correlation forecast');
  const config: ChartConfiguration<'line', Pt[]> = {
    type: 'line',
    data: { datasets },
    options: {
      layout: { padding: { ...layoutPadding, right: VALUE_TAG_ROOM } },
      scales: {
        x: timeAxis(t0, tEnd, size.width, theme, opts?.timeZone),
        y: correlationAxis(yMin, yMax, theme),
      },
      plugins: {
        corrwatchBackground: { color: theme.background },
        ...titleOptions(theme, size.width, title, forecastSubtitle(input, summary, timeAxisZone(opts?.timeZone))),
        legend: { ...legend, labels: { ...legend.labels, sort: (a: LegendItem, b: LegendItem) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0) } },
        annotation: {
          annotations: {
            future: { type: 'box', xMin: tNow, xMax: tEnd, backgroundColor: withAlpha(colors.interval, 0.05), borderWidth: 0, drawTime: 'beforeDatasetsDraw' },
            now: {
              type: 'line',
              xMin: tNow,
              xMax: tNow,
              borderColor: colors.now,
              borderWidth: 1.5,
              borderDash: [4, 4],
              drawTime: 'beforeDatasetsDraw',
              label: {
                display: true,
                content: 'now',
                position: 'end',
                backgroundColor: theme.labelBackground,
                color: theme.text,
                font: { size: 13, weight: 'bold' },
                padding: { x: 6, y: 3 },
              },
            },
          },
        },
      },
    },
    plugins: summary.mean !== undefined ? [valueTagPlugin({ x: tEnd, y: summary.mean, background: colors.mean, color: theme.background })] : [],
  };

  const png = await renderToPng(config, size);
  return {
    png,
    filename: input.basket ? `forecast-${fileSafe(input.basket)}.png` : 'forecast.png',
    alt: forecastAlt(input, summary, avg.length, t0, tNow, tEnd, opts?.timeZone),
    ...size,
  };
}

/** Path points with a finite time, in time order; all must come after the last history point. */
function pathIndices(times: number[], tNow: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < times.length; i++) if (Number.isFinite(times[i])) out.push(i);
  if (out.length === 0) throw new Error(`${CHART}: no forecast to chart (no finite pathTimestamps)`);
  out.sort((a, b) => times[a] - times[b]);
  const first = times[out[0]];
  if (first <= tNow) {
    throw new Error(`${CHART}: pathTimestamps must come after the last history point (${formatUtc(first)} is not after ${formatUtc(tNow)})`);
  }
  return out;
}

/** 0.9 -> `90`, 0.975 -> `97.5`. */
function percent(coverage: number): string {
  return String(Math.round(coverage * 1000) / 10);
}

function bandText(s: Summary): string {
  return s.bandLow !== undefined && s.bandHigh !== undefined ? ` (band ${fmt(s.bandLow)} to ${fmt(s.bandHigh)})` : '';
}

function forecastText(s: Summary): string {
  return `${fmt(s.mean)} [${fmt(s.low)}, ${fmt(s.high)}]`;
}

function forecastSubtitle(input: ForecastChartInput, s: Summary, zone: string): string {
  return [
    `now ρ̄ = ${fmt(s.now)}`,
    `smoothed ${fmt(s.smoothed)}${bandText(s)}`,
    `in ${input.horizon}: ${forecastText(s)} (${s.interval})`,
    `${input.timeframe} bars, times in ${zone}`,
  ].join(' · ');
}

function forecastAlt(input: ForecastChartInput, s: Summary, points: number, t0: number, tNow: number, tEnd: number, timeZone?: string): string {
  return (
    `Line chart of the average pairwise correlation ρ̄${input.basket ? ` of basket ${input.basket}` : ''} from ${formatUtc(t0, timeZone)} to ${formatUtc(tNow, timeZone)} ` +
    `(${points} points, ${input.timeframe} bars) with its smoothed level and band, then a ${input.horizon} forecast to ${formatUtc(tEnd, timeZone)} ` +
    `with its ${s.interval}. avg ρ now ${fmt(s.now)}, forecast ${forecastText(s)} in ${input.horizon}; ` +
    `smoothed ${fmt(s.smoothed)}${bandText(s)}.`
  );
}
