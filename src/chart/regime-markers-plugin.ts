import type { Plugin } from 'chart.js';
import { contextOf } from './context.js';
import type { Theme } from './theme.js';

/** What an alert chart marks: the episode's onset bar (a vertical line) and the level crossed (a horizontal line). */
export interface RegimeMarkers {
  onset?: { at: number; label: string };
  level?: { value: number; label: string };
}

type Ctx = ReturnType<typeof contextOf>;

/** A label on an opaque box, so it reads over bands, grid and lines. `align` is the side of `x` it sits on. */
function boxedLabel(ctx: Ctx, text: string, x: number, y: number, align: 'left' | 'right', theme: Theme, color: string): void {
  const w = ctx.measureText(text).width + 10;
  const h = 18;
  const left = align === 'left' ? x : x - w;
  ctx.fillStyle = theme.labelBackground;
  ctx.fillRect(left, y, w, h);
  ctx.fillStyle = color;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, left + 5, y + h / 2 + 0.5);
}

/**
 * Draws the markers over the bands and under nothing else that matters: after the datasets, so the onset line
 * is not hidden by the ρ̄ line's fill, with labels on boxes that stay inside the plot.
 */
export function regimeMarkersPlugin(markers: RegimeMarkers, theme: Theme): Plugin<'line'> {
  return {
    id: 'corrwatchRegimeMarkers',
    afterDatasetsDraw(chart) {
      const { chartArea } = chart;
      const x = chart.scales.x;
      const y = chart.scales.y;
      if (!x || !y) return;
      const ctx = contextOf(chart);
      ctx.save();
      ctx.font = `bold 12px ${chart.options.font?.family ?? 'sans-serif'}`;
      if (markers.level && Number.isFinite(markers.level.value)) {
        const py = Math.round(y.getPixelForValue(markers.level.value)) + 0.5;
        if (py >= chartArea.top && py <= chartArea.bottom) {
          ctx.strokeStyle = theme.entry;
          ctx.lineWidth = 1.75;
          ctx.setLineDash([3, 4]);
          ctx.beginPath();
          ctx.moveTo(chartArea.left, py);
          ctx.lineTo(chartArea.right, py);
          ctx.stroke();
          ctx.setLineDash([]);
          // Above the line, or below it when it runs along the top.
          const ly = py - 22 >= chartArea.top ? py - 22 : py + 4;
          boxedLabel(ctx, markers.level.label, chartArea.left + 6, ly, 'left', theme, theme.entry);
        }
      }
      if (markers.onset && Number.isFinite(markers.onset.at)) {
        const px = Math.round(x.getPixelForValue(markers.onset.at)) + 0.5;
        if (px >= chartArea.left && px <= chartArea.right) {
          ctx.strokeStyle = theme.text;
          ctx.lineWidth = 2;
          ctx.beginPath();
          ctx.moveTo(px, chartArea.top);
          ctx.lineTo(px, chartArea.bottom);
          ctx.stroke();
          const w = ctx.measureText(markers.onset.label).width + 10;
          // Right of the line unless that runs off the plot; the label sits at the top, clear of the legend.
          const align = px + 4 + w <= chartArea.right ? 'left' : 'right';
          boxedLabel(ctx, markers.onset.label, align === 'left' ? px + 4 : px - 4, chartArea.top + 4, align, theme, theme.text);
        }
      }
      ctx.restore();
    },
  };
}
