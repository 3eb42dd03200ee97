import { describe, expect, it } from 'vitest';
import { chartRenderer, ensureChartSetup, renderChart } from '../../src/chart/index.js';
import { forecastInput, regimeInput } from './fixtures.js';

describe('chart index', () => {
  it('setup is idempotent', () => {
    ensureChartSetup();
    ensureChartSetup();
  });

  it('renderChart dispatches on kind', async () => {
    const img = await renderChart({ kind: 'heatmap', input: { symbols: ['A', 'B'], matrix: [1, 0.3, 0.3, 1] } }, { width: 400, height: 300 });
    expect(img.filename).toBe('matrix.png');
    expect([img.width, img.height]).toEqual([400, 300]);
    const regime = await chartRenderer.regime(regimeInput(20, 1));
    expect(regime.filename).toBe('regime-majors.png');
    const forecast = await renderChart({ kind: 'forecast', input: forecastInput(20, 1, 4) }, { width: 400, height: 300 });
    expect(forecast.filename).toBe('forecast-majors.png');
    expect([forecast.width, forecast.height]).toEqual([400, 300]);
    expect((await chartRenderer.forecast(forecastInput(20, 2, 4))).alt).toContain('in 4h');
  });

  it('handles the smallest inputs: one symbol, one point', async () => {
    const one = await renderChart({ kind: 'heatmap', input: { symbols: ['BTC'], matrix: [1] } });
    expect(one.alt).toContain('1 symbol (BTC)');
    const pair = await renderChart({
      kind: 'pair',
      input: { symbols: ['A', 'B'], timestamps: [0], rhoShort: [0.5], rhoLong: [0.4], ciLow: [0.3], ciHigh: [0.6], shortWindow: '1d', longWindow: '7d' },
    });
    expect(pair.png.length).toBeGreaterThan(1000);
  });

  it('only files under src/chart import chart.js or the canvas', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const offenders: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const path = `${dir}/${e.name}`;
        if (e.isDirectory()) await walk(path);
        else if (path.endsWith('.ts') && !path.startsWith('src/chart/')) {
          if (/from ['"](chart\.js|chartjs-[^'"]+|@napi-rs\/canvas)['"]/.test(await readFile(path, 'utf8'))) offenders.push(path);
        }
      }
    };
    await walk('src');
    expect(offenders).toEqual([]);
  });
});
