import type { Plugin } from 'chart.js';
import { fmt } from './sanitize.js';
import { contextOf } from './context.js';

/** Width reserved right of the plot area for the tag. */
export const VALUE_TAG_ROOM = 64;

export interface ValueTag {
  x: number;
  y: number;
  background: string;
  color: string;
}

/**
 * Marks the current value as a tag on the right edge of the plot, pointing at the y value (the way trading
 * charts show the last price): the label never hides the line, wherever the last point is.
 */
export function valueTagPlugin(tag: ValueTag): Plugin<'line'> {
  return {
    id: 'corrwatchValueTag',
    afterDraw(chart) {
      const { chartArea, scales } = chart;
      const ctx = contextOf(chart);
      const y = scales.y?.getPixelForValue(tag.y);
      if (y === undefined || !Number.isFinite(y)) return;
      const text = fmt(tag.y);
      ctx.save();
      ctx.font = `bold 13px ${chart.options.font?.family ?? 'sans-serif'}`;
      const w = ctx.measureText(text).width + 12;
      const h = 20;
      const left = chartArea.right + 8;
      const top = Math.min(Math.max(y - h / 2, chartArea.top - h / 2), chartArea.bottom - h / 2);
      ctx.fillStyle = tag.background;
      ctx.beginPath();
      ctx.moveTo(left - 6, top + h / 2);
      ctx.lineTo(left, top);
      ctx.lineTo(left + w, top);
      ctx.lineTo(left + w, top + h);
      ctx.lineTo(left, top + h);
      ctx.closePath();
      ctx.fill();
      ctx.fillStyle = tag.color;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.fillText(text, left + 6, top + h / 2 + 0.5);
      ctx.restore();
    },
  };
}
