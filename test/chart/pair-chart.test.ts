import { describe, expect, it } from 'vitest';
import { renderPairChart } from '../../src/chart/pair-chart.js';
import { pairInput } from './fixtures.js';
import { decode, differingPixels, expectGoodChart, pixel } from './png.js';

describe('renderPairChart', () => {
  it('renders a 1200x600 opaque, non-blank PNG by default, dark theme', async () => {
    const img = await renderPairChart(pairInput(720, 1));
    const p = await expectGoodChart(img, 1200, 600);
    const [r, g, b] = pixel(p, 2, 2);
    expect(r + g + b).toBeLessThan(150);
    expect(img.filename).toBe('corr-BTC-ETH.png');
    expect(img.alt).toMatch(/BTC and ETH/);
    expect(img.alt).toMatch(/720 points/);
    expect(img.alt).toMatch(/24h ρ = -?\d\.\d\d|24h ρ = −\d\.\d\d/);
  });

  it('honours a custom size and the light theme', async () => {
    const img = await renderPairChart(pairInput(200, 2), { width: 800, height: 400, theme: 'light' });
    const p = await expectGoodChart(img, 800, 400);
    const [r, g, b] = pixel(p, 2, 2);
    expect(r + g + b).toBeGreaterThan(600);
  });

  it('draws different pixels for different data and for the other theme', async () => {
    const a = await decode((await renderPairChart(pairInput(300, 3))).png);
    const b = await decode((await renderPairChart(pairInput(300, 4))).png);
    const c = await decode((await renderPairChart(pairInput(300, 3), { theme: 'light' })).png);
    expect(differingPixels(a, b)).toBeGreaterThan(2000);
    expect(differingPixels(a, c)).toBeGreaterThan(100_000);
  });

  it('treats NaN, Infinity and null as gaps, and drops points without a finite time', async () => {
    const input = pairInput(100, 5);
    input.rhoShort[10] = NaN;
    input.rhoLong[20] = Infinity;
    (input.ciLow as (number | null)[])[30] = null;
    input.timestamps[40] = NaN;
    const img = await renderPairChart(input);
    await expectGoodChart(img, 1200, 600);
    expect(img.alt).toMatch(/99 points/);
  });

  it('renders a series that is entirely NaN without crashing', async () => {
    const input = pairInput(50, 6);
    input.rhoShort = input.rhoShort.map(() => NaN);
    const img = await renderPairChart(input);
    expect(img.alt).toMatch(/24h ρ = –/);
  });

  it('accepts timestamps out of order', async () => {
    const input = pairInput(50, 10);
    const order = input.timestamps.map((_, i) => i).reverse();
    const img = await renderPairChart({
      ...input,
      timestamps: order.map((i) => input.timestamps[i]),
      rhoShort: order.map((i) => input.rhoShort[i]),
      rhoLong: order.map((i) => input.rhoLong[i]),
      ciLow: order.map((i) => input.ciLow[i]),
      ciHigh: order.map((i) => input.ciHigh[i]),
    });
    const sorted = await renderPairChart(input);
    expect(img.alt).toBe(sorted.alt);
  });

  it('uses file-safe names for symbols like ETH/BTC', async () => {
    const img = await renderPairChart({ ...pairInput(20, 7), symbols: ['ETH/BTC', 'SOL'] });
    expect(img.filename).toBe('corr-ETH_BTC-SOL.png');
  });

  it('throws a clear error on empty or mismatched input', async () => {
    const empty = { ...pairInput(1, 8), timestamps: [], rhoShort: [], rhoLong: [], ciLow: [], ciHigh: [] };
    await expect(renderPairChart(empty)).rejects.toThrow(/pair chart: no data to chart/);
    await expect(renderPairChart({ ...pairInput(10, 9), rhoLong: [0.1] })).rejects.toThrow(/rhoLong has 1 points but timestamps has 10/);
    await expect(renderPairChart(pairInput(10, 9), { width: 10 })).rejects.toThrow(/width must be an integer/);
  });
});
