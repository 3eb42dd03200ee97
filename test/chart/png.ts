import { createCanvas, loadImage } from '@napi-rs/canvas';
import { expect } from 'vitest';
import type { ChartImage } from '../../src/domain/reply.js';

export interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Decodes a PNG the way a client would, and returns its RGBA pixels. */
export async function decode(png: Buffer): Promise<Pixels> {
  const img = await loadImage(png);
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const { data } = ctx.getImageData(0, 0, img.width, img.height);
  return { width: img.width, height: img.height, data };
}

export function pixel(p: Pixels, x: number, y: number): [number, number, number, number] {
  const i = (y * p.width + x) * 4;
  return [p.data[i], p.data[i + 1], p.data[i + 2], p.data[i + 3]];
}

export function cornerAlphas(p: Pixels): number[] {
  return [pixel(p, 0, 0), pixel(p, p.width - 1, 0), pixel(p, 0, p.height - 1), pixel(p, p.width - 1, p.height - 1)].map((c) => c[3]);
}

export function distinctColours(p: Pixels): number {
  const seen = new Set<number>();
  for (let i = 0; i < p.data.length; i += 4) seen.add((p.data[i] << 16) | (p.data[i + 1] << 8) | p.data[i + 2]);
  return seen.size;
}

/** Standard deviation of the grey level over all pixels: near 0 for a blank image. */
export function greyStdDev(p: Pixels): number {
  let sum = 0;
  let sq = 0;
  const n = p.data.length / 4;
  for (let i = 0; i < p.data.length; i += 4) {
    const g = 0.299 * p.data[i] + 0.587 * p.data[i + 1] + 0.114 * p.data[i + 2];
    sum += g;
    sq += g * g;
  }
  const mean = sum / n;
  return Math.sqrt(Math.max(0, sq / n - mean * mean));
}

/** How many pixels differ between two same-size images. */
export function differingPixels(a: Pixels, b: Pixels): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('sizes differ');
  let count = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2] || a.data[i + 3] !== b.data[i + 3]) count++;
  }
  return count;
}

/** The checks every chart test makes: decodes, has the size, opaque corners, not blank. */
export async function expectGoodChart(img: ChartImage, width: number, height: number): Promise<Pixels> {
  expect(img.width).toBe(width);
  expect(img.height).toBe(height);
  expect(img.png.subarray(1, 4).toString('ascii')).toBe('PNG');
  const p = await decode(img.png);
  expect([p.width, p.height]).toEqual([width, height]);
  expect(cornerAlphas(p)).toEqual([255, 255, 255, 255]);
  expect(distinctColours(p)).toBeGreaterThan(50);
  expect(greyStdDev(p)).toBeGreaterThan(8);
  return p;
}
