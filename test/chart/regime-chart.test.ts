import { describe, expect, it } from 'vitest';
import { renderRegimeChart } from '../../src/chart/regime-chart.js';
import { regimeInput } from './fixtures.js';
import { decode, differingPixels, expectGoodChart } from './png.js';

describe('renderRegimeChart', () => {
  it('renders 1200x600 with constant thresholds and names the file after the basket', async () => {
    const img = await renderRegimeChart(regimeInput(2000, 1));
    await expectGoodChart(img, 1200, 600);
    expect(img.filename).toBe('regime-majors.png');
    expect(img.alt).toMatch(/basket majors/);
    expect(img.alt).toMatch(/now ρ̄ = −?\d\.\d\d/);
    expect(img.alt).toMatch(/entry 0\.70, exit 0\.55/);
    expect(img.alt).toMatch(/Time in regime: .*%/);
  });

  it('draws adaptive thresholds, a custom size and the light theme', async () => {
    const input = regimeInput(300, 2);
    const entry = input.avgCorrelation.map((_, i) => 0.65 + 0.05 * Math.sin(i / 30));
    const img = await renderRegimeChart(
      { ...input, entryThreshold: entry, exitThreshold: entry.map((e) => e - 0.1), basket: undefined },
      { width: 900, height: 450, theme: 'light' },
    );
    await expectGoodChart(img, 900, 450);
    expect(img.filename).toBe('regime.png');
    expect(img.alt).toMatch(/entry \d\.\d\d \(adaptive\)/);
  });

  it('draws different pixels for different data and for the other theme', async () => {
    const a = await decode((await renderRegimeChart(regimeInput(500, 3))).png);
    const b = await decode((await renderRegimeChart(regimeInput(500, 4))).png);
    const c = await decode((await renderRegimeChart(regimeInput(500, 3), { theme: 'light' })).png);
    expect(differingPixels(a, b)).toBeGreaterThan(2000);
    expect(differingPixels(a, c)).toBeGreaterThan(100_000);
  });

  it('treats NaN as gaps, including the last point, and works without thresholds', async () => {
    const input = regimeInput(100, 5);
    input.avgCorrelation[50] = NaN;
    input.avgCorrelation[99] = NaN;
    const img = await renderRegimeChart({ ...input, entryThreshold: undefined, exitThreshold: NaN });
    await expectGoodChart(img, 1200, 600);
    const allNaN = await renderRegimeChart({ ...input, avgCorrelation: input.avgCorrelation.map(() => NaN) });
    expect(allNaN.alt).toMatch(/now ρ̄ = –/);
  });

  it('renders a single point', async () => {
    const img = await renderRegimeChart({ timestamps: [Date.UTC(2024, 0, 1)], avgCorrelation: [0.8], regimes: ['stressed'] });
    await expectGoodChart(img, 1200, 600);
  });

  it('throws a clear error on empty or mismatched input', async () => {
    await expect(renderRegimeChart({ timestamps: [], avgCorrelation: [], regimes: [] })).rejects.toThrow(/regime chart: no data to chart/);
    const input = regimeInput(10, 6);
    await expect(renderRegimeChart({ ...input, regimes: input.regimes.slice(1) })).rejects.toThrow(/regimes has 9 points but timestamps has 10/);
    await expect(renderRegimeChart({ ...input, entryThreshold: [0.5] })).rejects.toThrow(/entryThreshold has 1 points/);
  });
});
