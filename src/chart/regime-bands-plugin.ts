import type { Plugin } from 'chart.js';
import type { RegimeRun } from './regime-runs.js';
import type { Theme } from './theme.js';
import { contextOf } from './context.js';

/**
 * Shades the plot background behind each regime run. A plain plugin instead of one annotation box per run:
 * a noisy 2000-point history can have hundreds of runs, and this draws them in one pass.
 */
export function regimeBandsPlugin(runs: RegimeRun[], theme: Theme): Plugin<'line'> {
  return {
    id: 'corrwatchRegimeBands',
    beforeDatasetsDraw(chart) {
      const { chartArea } = chart;
      const ctx = contextOf(chart);
      const x = chart.scales.x;
      if (!x) return;
      ctx.save();
      ctx.beginPath();
      ctx.rect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
      ctx.clip();
      for (const run of runs) {
        const left = x.getPixelForValue(run.from);
        const right = x.getPixelForValue(run.to);
        ctx.fillStyle = theme.regime[run.regime];
        // At least one pixel wide; round so neighbouring bands neither overlap nor leave a seam.
        const l = Math.round(left);
        ctx.fillRect(l, chartArea.top, Math.max(1, Math.round(right) - l), chartArea.bottom - chartArea.top);
      }
      ctx.restore();
    },
  };
}
