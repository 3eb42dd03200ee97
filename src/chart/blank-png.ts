import { createCanvas } from '@napi-rs/canvas';

/**
 * PNG of an empty canvas: the fixed cost every chart pays (allocation + encoding). The chart benchmark
 * uses it as its same-run baseline, and it keeps the canvas import inside src/chart/.
 */
export function encodeBlankPng(width: number, height: number): Promise<Buffer> {
  return createCanvas(width, height).encode('png');
}
