import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { ChartImage } from '../domain/reply.js';
import type { Regime } from '../domain/types.js';
import { withAlpha } from './colors.js';
import { correlationAxis, layoutPadding, legendOptions, titleOptions } from './common.js';
import { resolveSize, type RenderOptions } from './options.js';
import { renderToPng } from './render.js';
import { regimeBandsPlugin } from './regime-bands-plugin.js';
import { barLength, REGIMES, regimeRuns } from './regime-runs.js';
import { regimeMarkersPlugin, type RegimeMarkers } from './regime-markers-plugin.js';
import { regimeAlt, regimeSubtitle, type ThresholdInfo } from './regime-summary.js';
import { correlationRange, fileSafe, fmt, gap, lastFinite, requireSameLength, usableIndices } from './sanitize.js';
import { getTheme } from './theme.js';
import { timeAxis } from './time-axis.js';
import { VALUE_TAG_ROOM, valueTagPlugin } from './value-tag-plugin.js';

export interface RegimeChartInput {
  /** Epoch ms, ascending. */
  timestamps: number[];
  /** Average pairwise correlation ρ̄ per point. */
  avgCorrelation: number[];
  /** Detected regime per point. */
  regimes: Regime[];
  /** A constant, or one value per point when the threshold adapts. */
  entryThreshold?: number | number[];
  exitThreshold?: number | number[];
  title?: string;
  /** Basket name, used in the default title and the filename. */
  basket?: string;
  /** The bar length in ms (the newest bar's band is this wide); default: the smallest step between timestamps. */
  barMs?: number;
  /** An alert's marks: the episode's onset bar and the level the detector crossed (src/app/alert-chart.ts). */
  markers?: RegimeMarkers;
}

type Pt = { x: number; y: number | null };

const CHART = 'regime chart';

/** ρ̄ over time on regime-shaded bands, with entry/exit thresholds and the current value marked. */
export async function renderRegimeChart(input: RegimeChartInput, opts?: RenderOptions): Promise<ChartImage> {
  const size = resolveSize(opts);
  const theme = getTheme(opts?.theme);
  const n = input.timestamps.length;
  requireSameLength(CHART, 'avgCorrelation', input.avgCorrelation.length, n);
  requireSameLength(CHART, 'regimes', input.regimes.length, n);
  for (const [name, t] of [['entryThreshold', input.entryThreshold], ['exitThreshold', input.exitThreshold]] as const) {
    if (Array.isArray(t)) requireSameLength(CHART, name, t.length, n);
  }
  const idx = usableIndices(CHART, input.timestamps);
  const x = idx.map((i) => input.timestamps[i]);
  const avg: Pt[] = idx.map((i, k) => ({ x: x[k], y: gap(input.avgCorrelation[i]) }));
  const regimes = idx.map((i) => input.regimes[i]);
  const entry = thresholdSeries(input.entryThreshold, idx, x);
  const exit = thresholdSeries(input.exitThreshold, idx, x);
  const t0 = x[0];
  const t1 = x[x.length - 1];
  // Each point is a bar: the axis runs to the end of the newest one, so its band (often the very bar an alert is
  // about) is as wide as any other bar's.
  const bar = input.barMs !== undefined && input.barMs > 0 ? input.barMs : barLength(x);
  const tEnd = t1 + bar;
  const timeZone = opts?.timeZone;
  const current = lastFinite(avg.map((p) => p.y));
  const currentRegime = current ? regimes[current.index] : undefined;
  const info: ThresholdInfo = { entry: thresholdInfo(input.entryThreshold, entry), exit: thresholdInfo(input.exitThreshold, exit) };
  const levelY = input.markers?.level?.value;
  const [yMin, yMax] = correlationRange([...avg, ...entry, ...exit].map((p) => p.y).concat(levelY !== undefined ? [levelY] : []));

  const line = { pointRadius: 0, spanGaps: false, parsing: false as const, normalized: true, fill: false };
  const datasets: ChartDataset<'line', Pt[]>[] = [];
  if (current) {
    datasets.push({
      ...line,
      label: 'current',
      data: [{ x: x[current.index], y: current.value }],
      pointRadius: 6,
      // The last point sits on the plot edge; let the marker overflow instead of being cut in half.
      clip: 10,
      pointBackgroundColor: theme.avg,
      pointBorderColor: theme.background,
      pointBorderWidth: 2,
      borderColor: theme.avg,
    });
  }
  datasets.push({ ...line, label: 'ρ̄ average correlation', data: avg, borderColor: theme.avg, backgroundColor: theme.avg, borderWidth: 2, pointStyle: 'line' });
  if (entry.length > 0) datasets.push(thresholdDataset(`entry ${info.entry}`, entry, theme.entry));
  if (exit.length > 0) datasets.push(thresholdDataset(`exit ${info.exit}`, exit, theme.exit));
  // Empty datasets give the regime colours a legend entry; the bands themselves are drawn by the plugin.
  for (const r of REGIMES) {
    datasets.push({ label: r, data: [], backgroundColor: theme.regime[r], borderColor: withAlpha(theme.regime[r], 0.85), borderWidth: 1.5, pointStyle: 'rect' });
  }

  const title = input.title ?? (input.basket ? `${input.basket}: average correlation regime` : 'Average correlation regime');
  const config: ChartConfiguration<'line', Pt[]> = {
    type: 'line',
    data: { datasets },
    options: {
      layout: { padding: { ...layoutPadding, right: VALUE_TAG_ROOM } },
      scales: {
        x: timeAxis(t0, tEnd, size.width, theme, timeZone),
        y: correlationAxis(yMin, yMax, theme),
      },
      plugins: {
        corrwatchBackground: { color: theme.background },
        ...titleOptions(theme, size.width, title, regimeSubtitle(current?.value, currentRegime, info, x, regimes, timeZone)),
        legend: legendOptions(theme, (item) => item.text !== 'current'),
      },
    },
    plugins: [
      regimeBandsPlugin(regimeRuns(x, regimes, bar), theme),
      ...(input.markers ? [regimeMarkersPlugin(input.markers, theme)] : []),
      ...(current ? [valueTagPlugin({ x: x[current.index], y: current.value, background: theme.avg, color: theme.background })] : []),
    ],
  };

  const png = await renderToPng(config, size);
  return {
    png,
    filename: input.basket ? `regime-${fileSafe(input.basket)}.png` : 'regime.png',
    alt: regimeAlt(input.basket, avg.length, t0, t1, current?.value, currentRegime, info, x, regimes, timeZone, input.markers),
    ...size,
  };
}

function thresholdSeries(t: number | number[] | undefined, idx: number[], x: number[]): Pt[] {
  if (t === undefined) return [];
  if (Array.isArray(t)) return idx.map((i, k) => ({ x: x[k], y: gap(t[i]) }));
  const y = gap(t);
  return y === null ? [] : [{ x: x[0], y }, { x: x[x.length - 1], y }];
}

function thresholdInfo(t: number | number[] | undefined, series: Pt[]): string {
  if (t === undefined || series.length === 0) return '';
  if (!Array.isArray(t)) return fmt(t);
  return `${fmt(lastFinite(series.map((p) => p.y))?.value)} (adaptive)`;
}

function thresholdDataset(label: string, data: Pt[], color: string): ChartDataset<'line', Pt[]> {
  return { label, data, borderColor: color, backgroundColor: color, borderWidth: 1.75, borderDash: [8, 5], pointStyle: 'line', pointRadius: 0, spanGaps: false, parsing: false, normalized: true, fill: false };
}
