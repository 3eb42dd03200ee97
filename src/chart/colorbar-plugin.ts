import type { Plugin } from 'chart.js';
import { DIVERGING_STOPS, rgbCss } from './colors.js';
import { fmt } from './sanitize.js';
import type { Theme } from './theme.js';
import { contextOf } from './context.js';

/** Horizontal room the bar and its labels take right of the plot area. */
export const COLORBAR_ROOM = 96;
const GAP = 24;
const BAR_WIDTH = 18;

/** Draws the -1..+1 colour scale bar to the right of the plot area (Chart.js has no legend for a colour scale). */
export function colorbarPlugin(theme: Theme): Plugin<'matrix'> {
  return {
    id: 'corrwatchColorbar',
    afterDraw(chart) {
      const { chartArea } = chart;
      const ctx = contextOf(chart);
      const x = chartArea.right + GAP;
      const top = chartArea.top;
      const height = chartArea.bottom - chartArea.top;
      if (height < 20) return;
      const gradient = ctx.createLinearGradient(0, top + height, 0, top);
      DIVERGING_STOPS.forEach((c, i) => gradient.addColorStop(i / (DIVERGING_STOPS.length - 1), rgbCss(c)));
      ctx.save();
      ctx.fillStyle = gradient;
      ctx.fillRect(x, top, BAR_WIDTH, height);
      ctx.strokeStyle = theme.axis;
      ctx.lineWidth = 1;
      ctx.strokeRect(x + 0.5, top + 0.5, BAR_WIDTH - 1, height - 1);
      ctx.fillStyle = theme.mutedText;
      ctx.strokeStyle = theme.mutedText;
      ctx.font = `13px ${chart.options.font?.family ?? 'sans-serif'}`;
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'left';
      for (const v of [-1, -0.5, 0, 0.5, 1]) {
        const y = top + ((1 - v) / 2) * height;
        ctx.beginPath();
        ctx.moveTo(x + BAR_WIDTH, y);
        ctx.lineTo(x + BAR_WIDTH + 5, y);
        ctx.stroke();
        ctx.fillText(v === 0 ? '0' : v > 0 ? `+${fmt(v, 1)}` : fmt(v, 1), x + BAR_WIDTH + 8, y);
      }
      ctx.restore();
    },
  };
}
