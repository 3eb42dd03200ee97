import { describe, expect, it } from 'vitest';
import { chartRenderer } from '../../src/chart/index.js';
import { USER, expectOk, makeEnv, pngSize } from './helpers.js';

describe('charts attached to replies', () => {
  it('matrix and corr attach a PNG of the default size when the runtime has a chart renderer, and none without', async () => {
    const withCharts = await makeEnv({ market: 'csv', charts: chartRenderer });
    const m = await withCharts.rt.run(USER, 'matrix AAA BBB CCC DDD window:60');
    expectOk(m);
    expect(m.reply.chart?.filename).toBe('matrix.png');
    expect(pngSize(m.reply.chart!.png)).toEqual({ width: 1200, height: 600 });
    expect([m.reply.chart!.width, m.reply.chart!.height]).toEqual([1200, 600]);

    const c = await withCharts.rt.run(USER, 'corr AAA CCC 60');
    expectOk(c);
    expect(c.reply.chart?.filename).toBe('corr-AAA-CCC.png');
    expect(pngSize(c.reply.chart!.png)).toEqual({ width: 1200, height: 600 });

    const without = await makeEnv({ market: 'csv' });
    const plain = await without.rt.run(USER, 'matrix AAA BBB CCC DDD window:60');
    expectOk(plain);
    expect(plain.reply.chart).toBeUndefined();
    // the chart changes nothing in the numbers
    expect(plain.reply.data).toEqual(m.reply.data);
  });
});
