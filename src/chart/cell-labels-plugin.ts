import type { Plugin } from 'chart.js';
import type { Rgb } from './colors.js';
import { textColorOn } from './colors.js';
import { fmt } from './sanitize.js';
import { contextOf } from './context.js';

export interface CellLabel {
  v: number | null;
  rgb: Rgb;
}

/** Prints each cell's value centred in it, in black or white depending on the cell colour. */
export function cellLabelsPlugin(cells: CellLabel[]): Plugin<'matrix'> {
  return {
    id: 'corrwatchCellLabels',
    afterDatasetsDraw(chart) {
      const meta = chart.getDatasetMeta(0);
      const first = meta.data[0] as unknown as { width: number; height: number } | undefined;
      if (!first) return;
      const ctx = contextOf(chart);
      const family = chart.options.font?.family ?? 'sans-serif';
      ctx.save();
      // Largest size at which the widest label still fits the cell with a margin. Cells use an ASCII hyphen:
      // DejaVu's U+2212 minus is more than twice as wide and would cost two font sizes at N = 12.
      let size = Math.floor(Math.min(first.height * 0.42, 18));
      for (; size >= 7; size--) {
        ctx.font = `${size}px ${family}`;
        if (ctx.measureText('-0.00').width <= first.width * 0.86) break;
      }
      if (size < 7) {
        ctx.restore();
        return;
      }
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      meta.data.forEach((el, i) => {
        const cell = cells[i];
        if (!cell) return;
        const { x, y } = el.tooltipPosition(true);
        // Chart.js's Point allows null coordinates (an element not laid out): nothing to label there.
        if (x === null || y === null) return;
        ctx.fillStyle = textColorOn(cell.rgb);
        ctx.fillText(fmt(cell.v).replace('−', '-'), x, y);
      });
      ctx.restore();
    },
  };
}
