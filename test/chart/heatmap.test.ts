import { describe, expect, it } from 'vitest';
import { renderHeatmap } from '../../src/chart/heatmap.js';
import { correlationMatrix, symbols } from './fixtures.js';
import { decode, differingPixels, expectGoodChart, pixel } from './png.js';

describe('renderHeatmap', () => {
  it.each([3, 12, 30, 100])('renders N=%i', async (n) => {
    const img = await renderHeatmap({ symbols: symbols(n), matrix: correlationMatrix(n, n) });
    await expectGoodChart(img, 1200, 600);
    expect(img.filename).toBe('matrix.png');
    expect(img.alt).toContain(`${n} symbols`);
  });

  it('names the extreme pairs in the alt text', async () => {
    const m = [1, 0.9, -0.4, 0.9, 1, 0.2, -0.4, 0.2, 1];
    const img = await renderHeatmap({ symbols: ['BTC', 'ETH', 'SOL'], matrix: m });
    expect(img.alt).toContain('Highest pair BTC–ETH 0.90');
    expect(img.alt).toContain('lowest BTC–SOL −0.40');
    expect(img.alt).toContain('mean pairwise 0.23');
  });

  it('colours +1 red and -1 blue', async () => {
    const img = await renderHeatmap({ symbols: ['A', 'B'], matrix: [1, -1, -1, 1] }, { theme: 'light' });
    const p = await decode(img.png);
    // Scan the middle row for the most red and the most blue pixels.
    let red = 0;
    let blue = 0;
    const y = Math.floor(p.height * 0.35);
    for (let x = 0; x < p.width; x++) {
      const [r, , b] = pixel(p, x, y);
      red = Math.max(red, r - b);
      blue = Math.max(blue, b - r);
    }
    expect(red).toBeGreaterThan(100);
    expect(blue).toBeGreaterThan(100);
  });

  it('works in both themes, with a custom size, and differs when data differs', async () => {
    const dark = await renderHeatmap({ symbols: symbols(5), matrix: correlationMatrix(5, 1) });
    const other = await renderHeatmap({ symbols: symbols(5), matrix: correlationMatrix(5, 2) });
    const light = await renderHeatmap({ symbols: symbols(5), matrix: correlationMatrix(5, 1) }, { theme: 'light', width: 700, height: 700 });
    await expectGoodChart(light, 700, 700);
    expect(differingPixels(await decode(dark.png), await decode(other.png))).toBeGreaterThan(5000);
  });

  it('survives NaN cells and duplicate symbols', async () => {
    const m = Array.from(correlationMatrix(4, 3));
    m[1] = NaN;
    m[4] = NaN;
    const img = await renderHeatmap({ symbols: ['BTC', 'ETH', 'BTC', 'SOL'], matrix: m });
    await expectGoodChart(img, 1200, 600);
    expect(img.alt).toContain('1 pair without a value');
  });

  it('throws a clear error on empty or mis-sized input', async () => {
    await expect(renderHeatmap({ symbols: [], matrix: [] })).rejects.toThrow(/heatmap: no data to chart/);
    await expect(renderHeatmap({ symbols: ['A', 'B'], matrix: [1, 0, 1] })).rejects.toThrow(/matrix has 3 values but 2 symbols need 4/);
  });
});
