import type { SKRSContext2D } from '@napi-rs/canvas';

/**
 * The 2D context a chart draws on, typed. Charts are drawn on an @napi-rs/canvas canvas (render.ts); Chart.js types
 * `chart.ctx` as the DOM's CanvasRenderingContext2D, which this Node project does not have (no "DOM" lib), so
 * without this every plugin's drawing call would be an unchecked `any` (typescript-eslint's no-unsafe-* rules).
 */
export function contextOf(chart: { readonly ctx: unknown }): SKRSContext2D {
  return chart.ctx as SKRSContext2D;
}
