import { describe, expect, it } from 'vitest';
import { renderForecastChart, type ForecastChartInput } from '../../src/chart/forecast-chart.js';
import { forecastInput, hours } from './fixtures.js';
import { decode, differingPixels, expectGoodChart, pixel, type Pixels } from './png.js';

/** The fan (orange on the dark theme): its shading, dashed mean, markers. */
const orange = ([r, g, b]: number[]): boolean => r - b > 40 && r > g;
/** The history's smoothed line and band (blue on the dark theme). */
const blue = ([r, , b]: number[]): boolean => b - r > 30;

/** Rows of the plot area, clear of the title and legend above and the axis labels below (1200x600 layout). */
const ROWS = [120, 540] as const;

/**
 * x of the "now" marker: the column right of the y axis with the most light grey pixels in the plot rows (dark
 * theme). The dashed line runs the plot's full height; the thin window line crosses a column in a few pixels.
 */
function nowColumn(p: Pixels): number {
  let best = -1;
  let bestCount = 0;
  for (let x = 100; x < p.width - 80; x++) {
    let count = 0;
    for (let y = ROWS[0]; y < ROWS[1]; y++) {
      const [r, g, b] = pixel(p, x, y);
      if (Math.min(r, g, b) > 120 && Math.max(r, g, b) - Math.min(r, g, b) < 30) count++;
    }
    if (count > bestCount) [best, bestCount] = [x, count];
  }
  expect(bestCount).toBeGreaterThan(150);
  return best;
}

/** Pixels of a colour class left of `from` and right of `to` within the plot rows. */
function countSides(p: Pixels, match: (c: number[]) => boolean, from: number, to: number): { left: number; right: number } {
  let left = 0;
  let right = 0;
  for (let y = ROWS[0]; y < ROWS[1]; y++) {
    for (let x = 0; x < p.width; x++) {
      if (!match(pixel(p, x, y))) continue;
      if (x < from) left++;
      else if (x > to) right++;
    }
  }
  return { left, right };
}

/** A tiny history and a 2-step path with round numbers, for exact text checks. */
function small(): ForecastChartInput {
  const t = hours(5);
  return {
    timestamps: t.slice(0, 3),
    avgCorrelation: [0.4, 0.5, 0.55],
    smoothed: [0.42, 0.48, 0.52],
    bandLow: [0.37, 0.43, 0.47],
    bandHigh: [0.47, 0.53, 0.57],
    pathTimestamps: t.slice(3),
    pathMean: [0.56, 0.6],
    pathLow: [0.45, 0.42],
    pathHigh: [0.66, 0.75],
    coverage: 0.9,
    timeframe: '1h',
    horizon: '2h',
    basket: 'majors',
  };
}

describe('renderForecastChart', () => {
  it('renders a 1200x600 PNG named after the basket', async () => {
    const img = await renderForecastChart(forecastInput(168, 1));
    await expectGoodChart(img, 1200, 600);
    expect(img.filename).toBe('forecast-majors.png');
    const plain = await renderForecastChart({ ...forecastInput(30, 1), basket: 'ETH/BTC alts' });
    expect(plain.filename).toBe('forecast-ETH_BTC_alts.png');
    expect((await renderForecastChart({ ...forecastInput(30, 1), basket: undefined })).filename).toBe('forecast.png');
  });

  it('shades the fan right of the now marker only, and the history band left of it only', async () => {
    const p = await decode((await renderForecastChart(forecastInput(168, 2))).png);
    const now = nowColumn(p);
    // History takes 168 of 192 bars: the marker sits about seven eighths across the plot.
    expect(now).toBeGreaterThan(0.75 * p.width);
    expect(now).toBeLessThan(0.9 * p.width);
    // The now point and the band's rounded end may spill a few pixels either side of the line.
    const fan = countSides(p, orange, now - 8, now + 8);
    const band = countSides(p, blue, now - 8, now + 8);
    expect(fan.right).toBeGreaterThan(3000);
    expect(fan.left).toBe(0);
    expect(band.left).toBeGreaterThan(20_000);
    expect(band.right).toBe(0);
  });

  it('tags the value at the horizon right of the plot', async () => {
    const p = await decode((await renderForecastChart(forecastInput(168, 3))).png);
    // The tag is drawn in the forecast colour in the right margin, beyond where any data is drawn.
    let tag = 0;
    for (let y = ROWS[0]; y < ROWS[1]; y++) for (let x = p.width - 60; x < p.width - 10; x++) if (orange(pixel(p, x, y))) tag++;
    expect(tag).toBeGreaterThan(300);
  });

  it('summarises now, the forecast and its interval in the alt text and names the coverage', async () => {
    const img = await renderForecastChart(small());
    await expectGoodChart(img, 1200, 600);
    expect(img.alt).toContain('avg ρ now 0.55, forecast 0.60 [0.42, 0.75] in 2h');
    expect(img.alt).toContain('smoothed 0.52 (band 0.47 to 0.57)');
    expect(img.alt).toContain('basket majors');
    expect(img.alt).toContain('90% interval');
    expect(img.alt).toContain('3 points, 1h bars');
    const other = await renderForecastChart({ ...small(), coverage: 0.95, pathLow: [0.45, -0.1] });
    expect(other.alt).toContain('95% interval');
    expect(other.alt).toContain('forecast 0.60 [−0.10, 0.75]');
  });

  it('works in the light theme and a custom size, and differs when data differs', async () => {
    const light = await renderForecastChart(forecastInput(300, 4, 72), { theme: 'light', width: 800, height: 400 });
    const p = await expectGoodChart(light, 800, 400);
    const [r, g, b] = pixel(p, 2, 2);
    expect(r + g + b).toBeGreaterThan(600);
    const a = await decode((await renderForecastChart(forecastInput(200, 5))).png);
    const c = await decode((await renderForecastChart(forecastInput(200, 6))).png);
    expect(differingPixels(a, c)).toBeGreaterThan(2000);
  });

  it('treats NaN as gaps, including the last history point and a path step', async () => {
    const input = forecastInput(100, 7);
    input.avgCorrelation[40] = NaN;
    input.avgCorrelation[99] = NaN;
    input.smoothed[50] = NaN;
    input.bandHigh[60] = Infinity;
    input.pathLow[5] = NaN;
    input.timestamps[10] = NaN;
    const img = await renderForecastChart(input);
    await expectGoodChart(img, 1200, 600);
    expect(img.alt).toContain('99 points');
    // "now" is the newest value there is.
    expect(img.alt).toContain(`avg ρ now ${input.avgCorrelation[98].toFixed(2)}`);
  });

  it('draws only the fan when the whole history is NaN', async () => {
    const input = forecastInput(120, 8);
    const nan = input.avgCorrelation.map(() => NaN);
    const img = await renderForecastChart({ ...input, avgCorrelation: nan, smoothed: nan, bandLow: nan, bandHigh: nan });
    const p = await expectGoodChart(img, 1200, 600);
    expect(img.alt).toMatch(/avg ρ now –, forecast \d\.\d\d \[\d\.\d\d, \d\.\d\d\] in 24h; smoothed –\./);
    const now = nowColumn(p);
    const fan = countSides(p, orange, now - 8, now + 8);
    expect(fan.right).toBeGreaterThan(3000);
    expect(fan.left).toBe(0);
    const band = countSides(p, blue, 0, p.width);
    expect(band.left + band.right).toBe(0);
  });

  it('keeps the y axis within [−1, 1] and handles a one-step path', async () => {
    const input = small();
    const img = await renderForecastChart({
      ...input,
      pathTimestamps: input.pathTimestamps.slice(0, 1),
      pathMean: [0.99],
      pathLow: [0.9],
      pathHigh: [1.3],
      horizon: '1h',
    });
    await expectGoodChart(img, 1200, 600);
    expect(img.alt).toContain('forecast 0.99 [0.90, 1.30] in 1h');
  });

  it('refuses mismatched lengths, an empty history or path, a path that is not in the future, a bad coverage', async () => {
    const input = forecastInput(10, 9, 4);
    await expect(renderForecastChart({ ...input, avgCorrelation: input.avgCorrelation.slice(1) })).rejects.toThrow(
      /forecast chart: avgCorrelation has 9 points but timestamps has 10/,
    );
    await expect(renderForecastChart({ ...input, bandHigh: [0.5] })).rejects.toThrow(/bandHigh has 1 points but timestamps has 10/);
    await expect(renderForecastChart({ ...input, pathLow: [0.1] })).rejects.toThrow(/forecast chart: pathLow has 1 points but pathTimestamps has 4/);
    await expect(renderForecastChart({ ...input, pathMean: [] })).rejects.toThrow(/pathMean has 0 points but pathTimestamps has 4/);
    await expect(
      renderForecastChart({ ...input, timestamps: [], avgCorrelation: [], smoothed: [], bandLow: [], bandHigh: [] }),
    ).rejects.toThrow(/forecast chart: no data to chart \(timestamps is empty\)/);
    await expect(renderForecastChart({ ...input, pathTimestamps: [], pathMean: [], pathLow: [], pathHigh: [] })).rejects.toThrow(
      /forecast chart: no data to chart \(pathTimestamps is empty\)/,
    );
    await expect(renderForecastChart({ ...input, pathTimestamps: input.pathTimestamps.map((t) => t - 4 * 3_600_000) })).rejects.toThrow(
      /pathTimestamps must come after the last history point/,
    );
    await expect(renderForecastChart({ ...input, pathTimestamps: input.pathTimestamps.map(() => NaN) })).rejects.toThrow(/no finite pathTimestamps/);
    await expect(renderForecastChart({ ...input, coverage: 90 })).rejects.toThrow(/coverage must be between 0 and 1/);
    await expect(renderForecastChart(input, { height: 50 })).rejects.toThrow(/height must be an integer/);
  });
});
