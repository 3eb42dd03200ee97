import type { Chart, ChartConfiguration, ScriptableContext } from 'chart.js';
import type { MatrixDataPoint } from 'chartjs-chart-matrix';
import type { ChartImage } from '../domain/reply.js';
import { cellLabelsPlugin, type CellLabel } from './cell-labels-plugin.js';
import { COLORBAR_ROOM, colorbarPlugin } from './colorbar-plugin.js';
import { divergingRgb, hexRgb, rgbCss } from './colors.js';
import { titleOptions } from './common.js';
import { heatmapAlt, matrixSummary } from './heatmap-summary.js';
import { resolveSize, type RenderOptions } from './options.js';
import { renderToPng } from './render.js';
import { fmt, gap } from './sanitize.js';
import { getTheme } from './theme.js';

export interface HeatmapInput {
  symbols: string[];
  /** N×N correlations, row-major: matrix[i * N + j] is ρ(symbols[i], symbols[j]). */
  matrix: ArrayLike<number>;
  title?: string;
  subtitle?: string;
}

/** Values are printed in the cells up to this many symbols; beyond, they would not fit. */
export const MAX_LABELLED = 12;
const BASE_PADDING = { top: 8, right: 16 + COLORBAR_ROOM, bottom: 8, left: 16 };

/** Correlation matrix as a heatmap with a diverging -1..+1 colour scale, square-ish cells and a colour bar. */
export async function renderHeatmap(input: HeatmapInput, opts?: RenderOptions): Promise<ChartImage> {
  const size = resolveSize(opts);
  const theme = getTheme(opts?.theme);
  const n = input.symbols.length;
  if (n === 0) throw new Error('heatmap: no data to chart (symbols is empty)');
  if (input.matrix.length !== n * n) {
    throw new Error(`heatmap: matrix has ${input.matrix.length} values but ${n} symbols need ${n * n} (N×N, row-major)`);
  }
  const labels = uniqueLabels(input.symbols);
  const missing = hexRgb(theme.missingCell);
  const data: MatrixDataPoint[] = [];
  const cells: CellLabel[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = gap(input.matrix[i * n + j]);
      data.push({ x: labels[j], y: labels[i], v: v ?? undefined });
      cells.push({ v, rgb: v === null ? missing : divergingRgb(v) });
    }
  }
  const summary = matrixSummary(input.symbols, input.matrix);
  const title = input.title ?? 'Correlation matrix';
  const subtitle = input.subtitle ?? `${n} symbols · mean pairwise ρ ${fmt(summary.mean)}`;
  const tickFont = tickFontSize(n, size.height);
  const cellGap = n <= 40 ? 1 : 0;
  const cellOverlap = cellGap === 0 ? 0.6 : 0;

  const config: ChartConfiguration<'matrix', MatrixDataPoint[], string> = {
    type: 'matrix',
    data: {
      datasets: [
        {
          label: 'ρ',
          data,
          backgroundColor: (ctx: ScriptableContext<'matrix'>) => rgbCss(cells[ctx.dataIndex]?.rgb ?? missing),
          borderWidth: 0,
          // Without gaps (large N), cells overlap by a fraction of a pixel so anti-aliased edges leave no seams.
          width: ({ chart }) => Math.max(chart.chartArea ? chart.chartArea.width / n - cellGap + cellOverlap : 0, 0.5),
          height: ({ chart }) => Math.max(chart.chartArea ? chart.chartArea.height / n - cellGap + cellOverlap : 0, 0.5),
        },
      ],
    },
    options: {
      layout: { padding: { ...BASE_PADDING } },
      scales: {
        x: {
          type: 'category',
          labels,
          offset: true,
          position: 'bottom',
          grid: { display: false },
          border: { display: false },
          ticks: { color: theme.text, font: { size: tickFont }, autoSkip: n > 40, autoSkipPadding: 2, maxRotation: 90, minRotation: n > 12 ? 90 : 0 },
        },
        y: {
          type: 'category',
          labels,
          offset: true,
          // First symbol in the top row, so the diagonal runs top-left to bottom-right as in a printed matrix.
          reverse: false,
          grid: { display: false },
          border: { display: false },
          ticks: { color: theme.text, font: { size: tickFont }, autoSkip: n > 40, autoSkipPadding: 2 },
        },
      },
      plugins: {
        corrwatchBackground: { color: theme.background },
        ...titleOptions(theme, size.width, title, subtitle),
        legend: { display: false },
      },
    },
    plugins: n <= MAX_LABELLED ? [colorbarPlugin(theme), cellLabelsPlugin(cells)] : [colorbarPlugin(theme)],
  };

  const png = await renderToPng(config, size, squareCells);
  return { png, filename: 'matrix.png', alt: heatmapAlt(input.symbols, summary), ...size };
}

/**
 * Chart.js fills the whole width; narrow (or shorten) the plot area so the cells come out square,
 * centring the whole chart. Returns true when the layout changed and must be redrawn.
 */
function squareCells(chart: Chart<'matrix', MatrixDataPoint[], string>): boolean {
  const { width, height } = chart.chartArea;
  const extra = width - height;
  if (Math.abs(extra) < 4) return false;
  const padding = { ...BASE_PADDING };
  if (extra > 0) {
    padding.left += Math.floor(extra / 2);
    padding.right += Math.ceil(extra / 2);
  } else {
    padding.top += Math.floor(-extra / 2);
    padding.bottom += Math.ceil(-extra / 2);
  }
  chart.options.layout = { ...chart.options.layout, padding };
  return true;
}

/** Smaller labels as the matrix grows: one cell must hold one line of text. */
function tickFontSize(n: number, height: number): number {
  if (n <= 12) return 14;
  if (n <= 20) return 12;
  if (n <= 30) return 11;
  if (n <= 40) return 10;
  return Math.max(6, Math.min(10, Math.floor(((height - 140) / n) * 0.8)));
}

/** Category scales merge equal labels; keep duplicated symbols apart. */
function uniqueLabels(symbols: string[]): string[] {
  const seen = new Map<string, number>();
  return symbols.map((s) => {
    const count = (seen.get(s) ?? 0) + 1;
    seen.set(s, count);
    return count === 1 ? s : `${s} (${count})`;
  });
}
