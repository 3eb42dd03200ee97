import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { ChartImage } from '../domain/reply.js';
import { legendOptions, layoutPadding, titleOptions } from './common.js';
import { resolveSize, type RenderOptions } from './options.js';
import { renderToPng } from './render.js';
import { extent, fileSafe, fmt, gap, lastFinite, requireSameLength, usableIndices } from './sanitize.js';
import { getTheme } from './theme.js';
import { formatUtc, timeAxis, timeAxisZone } from './time-axis.js';

export interface PairChartInput {
  symbols: [string, string];
  /** Epoch ms, ascending. */
  timestamps: number[];
  rhoShort: (number | null)[];
  rhoLong: (number | null)[];
  /** 95% confidence interval of the short-window ρ. */
  ciLow: (number | null)[];
  ciHigh: (number | null)[];
  /** Window labels, e.g. `24h`, `7d`. */
  shortWindow: string;
  longWindow: string;
  /** Bar timeframe, e.g. `1h`; only used in the default title. */
  timeframe?: string;
  title?: string;
}

type Pt = { x: number; y: number | null };

const CHART = 'pair chart';

/** Rolling correlation of two symbols: short and long window lines, the short window's 95% CI band, ρ fixed to -1..1. */
export async function renderPairChart(input: PairChartInput, opts?: RenderOptions): Promise<ChartImage> {
  const size = resolveSize(opts);
  const theme = getTheme(opts?.theme);
  const n = input.timestamps.length;
  for (const [name, arr] of [['rhoShort', input.rhoShort], ['rhoLong', input.rhoLong], ['ciLow', input.ciLow], ['ciHigh', input.ciHigh]] as const) {
    requireSameLength(CHART, name, arr.length, n);
  }
  const idx = usableIndices(CHART, input.timestamps);
  const series = (arr: (number | null)[]): Pt[] => idx.map((i) => ({ x: input.timestamps[i], y: gap(arr[i]) }));
  const short = series(input.rhoShort);
  const long = series(input.rhoLong);
  const low = series(input.ciLow);
  const high = series(input.ciHigh);
  const t0 = short[0].x;
  const t1 = short[short.length - 1].x;

  const [a, b] = input.symbols;
  const title = input.title ?? `${a} / ${b} rolling correlation${input.timeframe ? ` (${input.timeframe} bars)` : ''}`;
  const subtitle = pairSubtitle(input, short, long, low, high, timeAxisZone(opts?.timeZone));
  const line = { pointRadius: 0, borderJoinStyle: 'round' as const, spanGaps: false, parsing: false as const, normalized: true };

  // Chart.js draws dataset 0 last (on top): the short line over the long one over the band.
  const datasets: ChartDataset<'line', Pt[]>[] = [
    { ...line, label: `ρ ${input.shortWindow}`, data: short, borderWidth: 2, borderColor: theme.short, backgroundColor: theme.short, fill: false, pointStyle: 'line' },
    { ...line, label: `ρ ${input.longWindow}`, data: long, borderWidth: 2.5, borderColor: theme.long, backgroundColor: theme.long, fill: false, pointStyle: 'line' },
    { ...line, label: `95% CI (${input.shortWindow})`, data: high, borderWidth: 0, borderColor: theme.band, backgroundColor: theme.band, fill: '+1', pointStyle: 'rect' },
    { ...line, label: 'ci-low', data: low, borderWidth: 0, borderColor: 'transparent', backgroundColor: 'transparent', fill: false },
  ];

  const config: ChartConfiguration<'line', Pt[]> = {
    type: 'line',
    data: { datasets },
    options: {
      layout: { padding: layoutPadding },
      scales: {
        x: timeAxis(t0, t1, size.width, theme, opts?.timeZone),
        y: {
          type: 'linear',
          min: -1,
          max: 1,
          grid: { color: theme.grid },
          border: { color: theme.axis },
          ticks: { color: theme.mutedText, stepSize: 0.25, font: { size: 13 }, callback: (v) => fmt(Number(v)) },
          title: { display: true, text: 'correlation ρ', color: theme.mutedText, font: { size: 13 } },
        },
      },
      plugins: {
        corrwatchBackground: { color: theme.background },
        ...titleOptions(theme, size.width, title, subtitle),
        legend: legendOptions(theme, (item) => item.text !== 'ci-low'),
        annotation: {
          annotations: { zero: { type: 'line', yMin: 0, yMax: 0, borderColor: theme.zeroLine, borderWidth: 1.5 } },
        },
      },
    },
  };

  const png = await renderToPng(config, size);
  return {
    png,
    filename: `corr-${fileSafe(a)}-${fileSafe(b)}.png`,
    alt: pairAlt(input, short, long, low, high, t0, t1, opts?.timeZone),
    ...size,
  };
}

function lastOf(pts: Pt[]): number | undefined {
  return lastFinite(pts.map((p) => p.y))?.value;
}

function pairSubtitle(input: PairChartInput, short: Pt[], long: Pt[], low: Pt[], high: Pt[], zone: string): string {
  const ci = lastOf(low) !== undefined && lastOf(high) !== undefined ? ` (95% CI ${fmt(lastOf(low))} to ${fmt(lastOf(high))})` : '';
  return `latest ρ ${input.shortWindow} = ${fmt(lastOf(short))}${ci} · ρ ${input.longWindow} = ${fmt(lastOf(long))} · times in ${zone}`;
}

function pairAlt(input: PairChartInput, short: Pt[], long: Pt[], low: Pt[], high: Pt[], t0: number, t1: number, timeZone?: string): string {
  const [a, b] = input.symbols;
  const span = extent(short.map((p) => p.y));
  const range = span ? `; ${input.shortWindow} ρ ranged ${fmt(span[0])} to ${fmt(span[1])}` : '';
  const ci = lastOf(low) !== undefined && lastOf(high) !== undefined ? ` (95% CI ${fmt(lastOf(low))} to ${fmt(lastOf(high))})` : '';
  return (
    `Line chart of the rolling correlation of ${a} and ${b} from ${formatUtc(t0, timeZone)} to ${formatUtc(t1, timeZone)} (${short.length} points). ` +
    `Latest ${input.shortWindow} ρ = ${fmt(lastOf(short))}${ci}, ${input.longWindow} ρ = ${fmt(lastOf(long))}${range}.`
  );
}
