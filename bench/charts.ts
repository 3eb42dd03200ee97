/**
 * Chart rendering cost at 1200x600 with realistic sizes, against a baseline measured in the same run
 * (PNG-encoding an empty 1200x600 canvas), so the ratios compare across machines.
 * Run alone with `npx tsx bench/charts.ts`; bench/index.ts calls benchCharts().
 */
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { pathToFileURL } from 'node:url';
import { encodeBlankPng, renderHeatmap, renderPairChart, renderRegimeChart } from '../src/chart/index.js';
import { encodeOpaquePng } from '../src/chart/png-encode.js';
import type { Regime } from '../src/domain/types.js';

const RUNS = 20;
const WIDTH = 1200;
const HEIGHT = 600;
const HOUR = 3_600_000;

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

function walk(n: number, seed: number, start: number): number[] {
  const r = rng(seed);
  let v = start;
  return Array.from({ length: n }, () => (v = Math.max(-0.98, Math.min(0.98, v + (r() - 0.5) * 0.05 + (start - v) * 0.01))));
}

function matrix(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const beta = Array.from({ length: n }, () => r() * 1.4 - 0.4);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) m[i * n + j] = m[j * n + i] = i === j ? 1 : 0.6 * beta[i] * beta[j] + (r() - 0.5) * 0.2;
  return m;
}

async function median(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: fonts, JIT, first-use allocations
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function benchCharts(): Promise<void> {
  const t0 = Date.UTC(2024, 0, 1);
  const pairN = 720;
  const short = walk(pairN, 1, 0.6);
  const pair = {
    symbols: ['BTC', 'ETH'] as [string, string],
    timestamps: Array.from({ length: pairN }, (_, i) => t0 + i * HOUR),
    rhoShort: short,
    rhoLong: walk(pairN, 2, 0.6),
    ciLow: short.map((v) => v - 0.1),
    ciHigh: short.map((v) => Math.min(1, v + 0.08)),
    shortWindow: '24h',
    longWindow: '7d',
    timeframe: '1h',
  };
  const regimeN = 2000;
  const avg = walk(regimeN, 3, 0.45);
  const regime = {
    timestamps: Array.from({ length: regimeN }, (_, i) => t0 + i * HOUR),
    avgCorrelation: avg,
    regimes: avg.map((v): Regime => (v > 0.7 ? 'stressed' : v > 0.55 ? 'converging' : v < 0.2 ? 'decoupling' : 'calm')),
    entryThreshold: avg.map((_, i) => 0.68 + 0.04 * Math.sin(i / 150)),
    exitThreshold: 0.55,
    basket: 'majors',
  };
  const names = (n: number) => Array.from({ length: n }, (_, i) => `S${i}`);
  const size = { width: WIDTH, height: HEIGHT };

  const baseline = await median(() => encodeBlankPng(WIDTH, HEIGHT));
  const rows: [string, number][] = [
    ['pair (720 points)', await median(() => renderPairChart(pair, size))],
    ['heatmap N=10', await median(() => renderHeatmap({ symbols: names(10), matrix: matrix(10, 4) }, size))],
    ['heatmap N=50', await median(() => renderHeatmap({ symbols: names(50), matrix: matrix(50, 5) }, size))],
    ['regime (2000 points)', await median(() => renderRegimeChart(regime, size))],
  ];

  console.log(`\ncharts, ${WIDTH}x${HEIGHT}, median of ${RUNS} runs`);
  console.log(`${'chart'.padEnd(24)}${'ms'.padStart(9)}${'x baseline'.padStart(12)}`);
  console.log(`${'baseline: empty PNG'.padEnd(24)}${baseline.toFixed(1).padStart(9)}${'1.0'.padStart(12)}`);
  for (const [name, ms] of rows) {
    console.log(`${name.padEnd(24)}${ms.toFixed(1).padStart(9)}${(ms / baseline).toFixed(1).padStart(12)}`);
  }

  // The PNG encoder the charts use (src/chart/png-encode.ts: reading the pixels, Up filter, zlib level 1) against
  // Skia's (@napi-rs/canvas encode('png')), on the same drawn charts.
  console.log(`\nPNG encoding of the drawn charts, median of ${RUNS} runs: corrwatch's encoder against Skia's (the baseline)`);
  console.log(`${'chart'.padEnd(24)}${'Skia ms'.padStart(9)}${'ours ms'.padStart(9)}${'x Skia'.padStart(8)}${'Skia kB'.padStart(9)}${'ours kB'.padStart(9)}`);
  const drawn: [string, Buffer][] = [
    ['pair (720 points)', (await renderPairChart(pair, size)).png],
    ['heatmap N=50', (await renderHeatmap({ symbols: names(50), matrix: matrix(50, 5) }, size)).png],
    ['regime (2000 points)', (await renderRegimeChart(regime, size)).png],
  ];
  for (const [name, png] of drawn) {
    const img = await loadImage(png);
    const canvas = createCanvas(img.width, img.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const ours = () => {
      const { data } = ctx.getImageData(0, 0, img.width, img.height);
      return encodeOpaquePng(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), img.width, img.height)!;
    };
    const skiaMs = await median(() => canvas.encode('png'));
    const oursMs = await median(async () => ours());
    const kB = (b: Buffer) => (b.length / 1024).toFixed(0);
    console.log(`${name.padEnd(24)}${skiaMs.toFixed(1).padStart(9)}${oursMs.toFixed(1).padStart(9)}${(oursMs / skiaMs).toFixed(2).padStart(8)}${kB(await canvas.encode('png')).padStart(9)}${kB(ours()).padStart(9)}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchCharts();
}
