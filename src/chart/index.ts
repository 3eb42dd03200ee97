import type { ChartImage } from '../domain/reply.js';
import { renderForecastChart, type ForecastChartInput } from './forecast-chart.js';
import { renderHeatmap, type HeatmapInput } from './heatmap.js';
import type { RenderOptions } from './options.js';
import { renderPairChart, type PairChartInput } from './pair-chart.js';
import { renderRegimeChart, type RegimeChartInput } from './regime-chart.js';

export { renderForecastChart, renderHeatmap, renderPairChart, renderRegimeChart };
export type { ForecastChartInput, HeatmapInput, PairChartInput, RegimeChartInput, RenderOptions };
export type { ThemeName } from './theme.js';
export { ensureChartSetup } from './setup.js';
export { encodeBlankPng } from './blank-png.js';

/** The chart port: command handlers and alerts depend on this, not on Chart.js. */
export interface ChartRenderer {
  pair(input: PairChartInput, opts?: RenderOptions): Promise<ChartImage>;
  heatmap(input: HeatmapInput, opts?: RenderOptions): Promise<ChartImage>;
  regime(input: RegimeChartInput, opts?: RenderOptions): Promise<ChartImage>;
  /** ρ̄ history with its smoothed band, and the forecast fan after it. */
  forecast(input: ForecastChartInput, opts?: RenderOptions): Promise<ChartImage>;
}

/** The Chart.js + @napi-rs/canvas implementation. */
export const chartRenderer: ChartRenderer = {
  pair: renderPairChart,
  heatmap: renderHeatmap,
  regime: renderRegimeChart,
  forecast: renderForecastChart,
};

/** One request for any chart kind, e.g. from a queue or a CLI flag. */
export type ChartRequest =
  | { kind: 'pair'; input: PairChartInput }
  | { kind: 'heatmap'; input: HeatmapInput }
  | { kind: 'regime'; input: RegimeChartInput }
  | { kind: 'forecast'; input: ForecastChartInput };

export function renderChart(request: ChartRequest, opts?: RenderOptions, renderer: ChartRenderer = chartRenderer): Promise<ChartImage> {
  switch (request.kind) {
    case 'pair':
      return renderer.pair(request.input, opts);
    case 'heatmap':
      return renderer.heatmap(request.input, opts);
    case 'regime':
      return renderer.regime(request.input, opts);
    case 'forecast':
      return renderer.forecast(request.input, opts);
  }
}
