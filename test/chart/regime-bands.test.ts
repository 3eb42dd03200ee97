import { describe, expect, it } from 'vitest';
import { renderRegimeChart } from '../../src/chart/regime-chart.js';
import { getTheme } from '../../src/chart/theme.js';
import { timeAxis, ticksIn } from '../../src/chart/time-axis.js';
import type { Regime } from '../../src/domain/types.js';
import { decode, pixel, type Pixels } from './png.js';

const H = 3_600_000;
const T0 = Date.UTC(2027, 0, 12, 0);

/** A theme's regime colour (rgba) laid over its opaque background, as a band is drawn. */
function bandColour(regime: Regime, themeName: 'dark' | 'light' = 'dark'): [number, number, number] {
  const theme = getTheme(themeName);
  const bg = theme.background.match(/[0-9a-f]{2}/gi)!.map((h) => parseInt(h, 16));
  const [r, g, b, a] = theme.regime[regime].match(/[\d.]+/g)!.map(Number);
  return [r, g, b].map((c, i) => Math.round(a * c + (1 - a) * bg[i])) as [number, number, number];
}

const near = (p: [number, number, number, number], c: [number, number, number]) => p.slice(0, 3).every((v, i) => Math.abs(v - c[i]) <= 3);

/** The plot's left and right edge on row y: the first and last pixel of the given colour. */
function plotEdges(p: Pixels, y: number, c: [number, number, number]): [number, number] {
  let left = -1;
  let right = -1;
  for (let x = 0; x < p.width; x++) {
    if (near(pixel(p, x, y), c)) {
      if (left < 0) left = x;
      right = x;
    }
  }
  return [left, right + 1];
}

/** A row just above the plot's bottom edge, below every line: the lowest row of the calm colour in column x. */
function rowNearBottom(p: Pixels, x: number): number {
  let bottom = -1;
  for (let y = Math.round(p.height / 2); y < p.height; y++) if (near(pixel(p, x, y), bandColour('calm'))) bottom = y;
  return bottom - 4;
}

/** Share of the pixels of row y between x0 and x1 in the colour. */
function share(p: Pixels, y: number, x0: number, x1: number, c: [number, number, number]): number {
  let hit = 0;
  for (let x = Math.ceil(x0); x < Math.floor(x1); x++) if (near(pixel(p, x, y), c)) hit++;
  return hit / Math.max(1, Math.floor(x1) - Math.ceil(x0));
}

function sequence(runs: [Regime, number][]): { timestamps: number[]; regimes: Regime[]; avgCorrelation: number[] } {
  const regimes = runs.flatMap(([r, n]) => Array<Regime>(n).fill(r));
  const level: Record<Regime, number> = { calm: 0.45, converging: 0.6, stressed: 0.8, decoupling: 0.2 };
  return { timestamps: regimes.map((_, i) => T0 + i * H), regimes, avgCorrelation: regimes.map((r) => level[r]) };
}

describe('regime bands', () => {
  it('draws each regime in its own colour over exactly the bars it covers (calm, converging, stressed, calm)', async () => {
    const runs: [Regime, number][] = [['calm', 12], ['converging', 10], ['stressed', 8], ['calm', 10]];
    const input = sequence(runs);
    const img = await renderRegimeChart({ ...input, basket: 'majors' });
    const p = await decode(img.png);
    // A row below every line (ρ̄ ≥ 0.45; the axis starts at 0.4), inside the plot.
    const y = rowNearBottom(p, Math.round(p.width * 0.15));
    const [left, right] = plotEdges(p, y, bandColour('calm'));
    const n = input.timestamps.length;
    // The axis runs from the first bar to the end of the last: n bars.
    const px = (bars: number) => left + ((right - left) * bars) / n;
    let start = 0;
    for (const [regime, bars] of runs) {
      const [a, b] = [px(start), px(start + bars)];
      // Inside the stretch (a pixel in from each edge): the stretch's colour only, apart from grid lines.
      expect(share(p, y, a + 2, b - 2, bandColour(regime)), `${regime} from bar ${start}`).toBeGreaterThan(0.9);
      // The pixel just inside each edge is already (still) this regime's: the band starts at its first bar's time.
      expect(near(pixel(p, Math.ceil(a) + 1, y), bandColour(regime)), `${regime} left edge`).toBe(true);
      expect(near(pixel(p, Math.floor(b) - 2, y), bandColour(regime)), `${regime} right edge`).toBe(true);
      start += bars;
    }
    // The subtitle's "since" is the start of the band drawn last.
    expect(img.alt).toContain('calm since 2027-01-13 06:00 UTC');
  });

  it('gives the newest bar (the one an alert escalated on) a whole bar in its own colour', async () => {
    const input = sequence([['calm', 50], ['converging', 21], ['stressed', 1]]);
    const p = await decode((await renderRegimeChart({ ...input, barMs: H })).png);
    const y = rowNearBottom(p, Math.round(p.width * 0.15));
    const [left, right] = plotEdges(p, y, bandColour('calm'));
    expect(left).toBeGreaterThan(0);
    // The plot ends where the stressed bar ends; find it from the right.
    let end = p.width - 1;
    while (end > right && !near(pixel(p, end, y), bandColour('stressed'))) end--;
    const barPx = (end + 1 - left) / 72;
    expect(barPx).toBeGreaterThan(10);
    expect(share(p, y, end + 1 - barPx + 1, end, bandColour('stressed'))).toBeGreaterThan(0.9);
    expect(share(p, y, end + 1 - 2 * barPx + 1, end - barPx - 1, bandColour('converging'))).toBeGreaterThan(0.9);
  });
});

describe('time axis in the display zone', () => {
  it('puts ticks on local midnights and names the zone, across New York’s spring change', () => {
    const min = Date.parse('2026-03-06T05:00:00Z');
    const max = Date.parse('2026-03-11T04:00:00Z');
    const axis = timeAxis(min, max, 1200, getTheme('dark'), 'America/New_York');
    expect(axis.title.text).toBe('time (America/New_York, EST/EDT)');
    const ticks = ticksIn(min, max, 12, 'America/New_York');
    // Midnight EST is 05:00Z, midnight EDT 04:00Z.
    expect(ticks.map((t) => new Date(t).toISOString())).toEqual([
      '2026-03-06T05:00:00.000Z',
      '2026-03-07T05:00:00.000Z',
      '2026-03-08T05:00:00.000Z',
      '2026-03-09T04:00:00.000Z',
      '2026-03-10T04:00:00.000Z',
      '2026-03-11T04:00:00.000Z',
    ]);
    expect(ticks.map((t) => axis.ticks.callback(t))).toEqual(['Mar 06', 'Mar 07', 'Mar 08', 'Mar 09', 'Mar 10', 'Mar 11']);
  });

  it('labels hours in the zone (Singapore) and skips the hour London loses', () => {
    const sg = timeAxis(Date.parse('2027-01-13T00:00:00Z'), Date.parse('2027-01-13T12:00:00Z'), 1200, getTheme('dark'), 'Asia/Singapore');
    expect(sg.title.text).toBe('time (Asia/Singapore, GMT+8)');
    expect(sg.ticks.callback(Date.parse('2027-01-13T07:00:00Z'))).toBe('15:00');
    expect(sg.ticks.callback(Date.parse('2027-01-13T16:00:00Z'))).toBe('Jan 14');
    // 01:00 GMT on 2026-03-29 is 02:00 BST: local 01:00 never happens, so no tick is labelled 01:00.
    const [min, max] = [Date.parse('2026-03-28T22:00:00Z'), Date.parse('2026-03-29T04:00:00Z')];
    const london = timeAxis(min, max, 700, getTheme('dark'), 'Europe/London');
    expect(ticksIn(min, max, 7, 'Europe/London').map((t) => london.ticks.callback(t))).toEqual(['22:00', '23:00', 'Mar 29', '02:00', '03:00', '04:00', '05:00']);
    expect(london.title.text).toBe('time (Europe/London, GMT/GMT+1)');
    expect(timeAxis(0, 1, 1200, getTheme('dark')).title.text).toBe('time (UTC)');
  });

  it('renders the regime chart in the zone: subtitle, alt text and the axis', async () => {
    const input = sequence([['calm', 12], ['stressed', 12]]);
    const img = await renderRegimeChart(input, { timeZone: 'America/New_York' });
    expect(img.alt).toContain('from 2027-01-11 19:00 EST to 2027-01-12 18:00 EST');
    expect(img.alt).toContain('stressed since 2027-01-12 07:00 EST');
    const utc = await renderRegimeChart(input);
    expect(utc.alt).toContain('stressed since 2027-01-12 12:00 UTC');
    // Same data, other labels.
    expect(Buffer.compare(img.png, utc.png)).not.toBe(0);
  });
});
