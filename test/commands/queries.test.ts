import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CorrChange } from '../../commands/corr.js';
import type { CompareResult, CorrResult, MatrixResult } from '../../src/query/queries.js';
import { ADMIN, DAY, EXPECTED_JSON, HOUR, NOW, USER, WIDE_CSV, csvSource, expectOk, expectUserError, makeEnv, storeSnapshot, type TestEnv } from './helpers.js';
import { candleReturns, fisherCI, fisherZ, iso, logReturns, pearson, readWideCsv, signed3, spearman, windowOf, type Returns } from './reference.js';

const expected = JSON.parse(readFileSync(EXPECTED_JSON, 'utf8'));
const csv = readWideCsv(WIDE_CSV);
const csvReturns = (s: string): Returns => logReturns(csv.times, csv.closes[s]);
const TOL = 1e-10;

type CorrData = CorrResult & { change: CorrChange | null };

function closeTo(actual: number, wanted: number, tol = TOL): void {
  expect(Math.abs(actual - wanted), `${actual} vs ${wanted}`).toBeLessThan(tol);
}

describe('corr, matrix and compare on the CSV fixture (values from expected.json)', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await makeEnv({ market: 'csv' });
  });

  it('corr AAA CCC all: rho, p-value, CI, n and range as computed independently', async () => {
    const r = await env.rt.run(USER, 'corr AAA CCC all');
    expectOk(r);
    const d = r.reply.data as CorrData;
    const e = expected.corr_AAA_CCC_all;
    expect(d.symbols).toEqual(['AAA', 'CCC']);
    expect(d.method).toBe('pearson');
    expect(d.n).toBe(e.n);
    closeTo(d.rho, e.rho);
    expect(Math.abs(d.pValue - e.pValue) / e.pValue).toBeLessThan(1e-6);
    closeTo(d.ci95[0], e.ci95[0]);
    closeTo(d.ci95[1], e.ci95[1]);
    expect([d.from, d.to]).toEqual([e.from, e.to]);
    // "all" has no previous window to compare with
    expect(d.change).toBeNull();
    expect(r.reply.title).toBe(`AAA / CCC: ρ ${signed3(e.rho)}`);
    expect(r.reply.ephemeral).toBeFalsy();
  });

  it('corr BBB DDD all spearman', async () => {
    const r = await env.rt.run(USER, 'corr BBB DDD all spearman');
    expectOk(r);
    const d = r.reply.data as CorrData;
    expect(d.method).toBe('spearman');
    expect(d.n).toBe(expected.corr_BBB_DDD_all_spearman.n);
    closeTo(d.rho, expected.corr_BBB_DDD_all_spearman.rho);
    expect(r.reply.text).toMatch(/^Spearman/);
  });

  it('method given by name (method:spearman) is the same as given by position', async () => {
    const a = await env.rt.run(USER, 'corr BBB DDD window:all method:spearman');
    expectOk(a);
    closeTo((a.reply.data as CorrData).rho, expected.corr_BBB_DDD_all_spearman.rho);
  });

  it('default window on daily bars is 90 returns, with the change against the 90 before', async () => {
    const r = await env.rt.run(USER, 'corr AAA CCC');
    expectOk(r);
    const d = r.reply.data as CorrData;
    const a = csvReturns('AAA');
    const c = csvReturns('CCC');
    const now = { x: windowOf(a, 90), y: windowOf(c, 90) };
    const before = { x: windowOf(a, 90, a.times[a.times.length - 91]), y: windowOf(c, 90, c.times[c.times.length - 91]) };
    expect(d.n).toBe(90);
    closeTo(d.rho, pearson(now.x.values, now.y.values));
    expect(d.to).toBe(iso(csv.times[csv.times.length - 1]));
    expect(d.from).toBe(iso(now.x.times[0]));
    const rhoBefore = pearson(before.x.values, before.y.values);
    expect(d.change).not.toBeNull();
    closeTo(d.change!.rhoBefore, rhoBefore);
    closeTo(d.change!.z, fisherZ(d.rho, 90, rhoBefore, 90));
  });

  it('window forms: a bar count (60), a duration (30d) and "all" on daily bars', async () => {
    const a = csvReturns('AAA');
    const c = csvReturns('CCC');
    for (const [text, n] of [['60', 60], ['30d', 30], ['window:45', 45], ['--window 75', 75]] as const) {
      const r = await env.rt.run(USER, `corr AAA CCC ${text}`);
      expectOk(r);
      const d = r.reply.data as CorrData;
      expect(d.n, text).toBe(n);
      closeTo(d.rho, pearson(windowOf(a, n).values, windowOf(c, n).values));
      const ci = fisherCI(d.rho, n);
      closeTo(d.ci95[0], ci[0]);
      closeTo(d.ci95[1], ci[1]);
    }
    const all = await env.rt.run(USER, 'corr AAA CCC window:all');
    expect((all.reply.data as CorrData).n).toBe(csv.times.length - 1);
  });

  it('at: ends the window at that bar (inclusive)', async () => {
    const at = Date.UTC(2023, 5, 30);
    const r = await env.rt.run(USER, 'corr AAA CCC 60 at:2023-06-30');
    expectOk(r);
    const d = r.reply.data as CorrData;
    const x = windowOf(csvReturns('AAA'), 60, at);
    const y = windowOf(csvReturns('CCC'), 60, at);
    expect(d.to).toBe('2023-06-30T00:00:00Z');
    expect(d.from).toBe(iso(x.times[0]));
    expect(d.from).toBe(expected['matrix_window60_at_2023-06-30'].from);
    closeTo(d.rho, pearson(x.values, y.values));
    closeTo(d.rho, expected['matrix_window60_at_2023-06-30'].matrix[0][2]);
  });

  it('matrix of the four symbols over all returns equals expected.json', async () => {
    const r = await env.rt.run(USER, 'matrix AAA BBB CCC DDD window:all');
    expectOk(r);
    const d = r.reply.data as MatrixResult;
    const e = expected.matrix_all;
    expect(d.symbols).toEqual(e.symbols);
    expect(d.n).toBe(e.n);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) closeTo(d.matrix[i][j], e.matrix[i][j]);
    closeTo(d.avgCorrelation, e.avgCorrelation);
    closeTo(d.dispersion, e.dispersion);
    closeTo(d.absorptionRatio, e.absorptionRatio);
    closeTo(d.largestEigenShare, e.largestEigenShare);
    expect([d.from, d.to]).toEqual([e.from, e.to]);
    // the table shows each pair with two decimals
    expect(r.reply.text).toContain(e.matrix[0][1].toFixed(2));
    expect(r.reply.text).toContain(e.matrix[2][3].toFixed(2));
    expect(r.reply.title).toBe('Correlation matrix: AAA BBB CCC DDD');
  });

  it('matrix with window:60 at:2023-06-30 equals expected.json', async () => {
    const r = await env.rt.run(USER, 'matrix AAA BBB CCC DDD window:60 at:2023-06-30');
    expectOk(r);
    const d = r.reply.data as MatrixResult;
    const e = expected['matrix_window60_at_2023-06-30'];
    expect(d.n).toBe(60);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) closeTo(d.matrix[i][j], e.matrix[i][j]);
    closeTo(d.avgCorrelation, e.avgCorrelation);
    closeTo(d.dispersion, e.dispersion);
    closeTo(d.absorptionRatio, e.absorptionRatio);
    closeTo(d.largestEigenShare, e.largestEigenShare);
    expect([d.from, d.to]).toEqual([e.from, e.to]);
  });

  it('matrix method:spearman: each entry is the Spearman correlation of the pair', async () => {
    const r = await env.rt.run(USER, 'matrix AAA BBB DDD window:all method:spearman');
    expectOk(r);
    const d = r.reply.data as MatrixResult;
    expect(d.method).toBe('spearman');
    closeTo(d.matrix[1][2], expected.corr_BBB_DDD_all_spearman.rho);
    closeTo(d.matrix[0][1], spearman(csvReturns('AAA').values, csvReturns('BBB').values));
  });

  it('compare AAA DDD 100 equals expected.json', async () => {
    const r = await env.rt.run(USER, 'compare AAA DDD 100');
    expectOk(r);
    const d = r.reply.data as CompareResult;
    const e = expected.compare_AAA_DDD_window100;
    closeTo(d.rho, e.rho);
    closeTo(d.rhoBefore, e.rhoBefore);
    closeTo(d.z, e.z);
    closeTo(d.pValue, e.pValue, 1e-8);
    expect([d.n, d.nBefore]).toEqual([100, 100]);
    expect(r.reply.text).toContain('not significantly different');
  });
});

describe('corr on simulated data, exactly as typed', () => {
  let env: TestEnv;
  const T = Math.floor(NOW / HOUR) * HOUR - HOUR; // the latest closed 1h bar
  const fetchReturns = async (symbol: string, from: number, to: number): Promise<Returns> => {
    const candles = await env.market.fetchCandles(symbol, '1h', from, to + HOUR);
    for (let k = 1; k < candles.length; k++) expect(candles[k].t - candles[k - 1].t).toBe(HOUR);
    expect(candles[candles.length - 1].t).toBe(to);
    return candleReturns(candles);
  };
  beforeAll(async () => {
    env = await makeEnv({ market: 'sim' });
  });

  it('/corr BTC ETH: Pearson of the last 7d of 1h log returns, and the change against the 7d before', async () => {
    const r = await env.rt.run(ADMIN, '/corr BTC ETH');
    expectOk(r);
    expect(r.command).toBe('corr');
    const d = r.reply.data as CorrData;
    const btc = await fetchReturns('BTC', T - 400 * HOUR, T);
    const eth = await fetchReturns('ETH', T - 400 * HOUR, T);
    const x = windowOf(btc, 168);
    const y = windowOf(eth, 168);
    const rho = pearson(x.values, y.values);
    expect(d.n).toBe(168);
    closeTo(d.rho, rho);
    expect(d.to).toBe(iso(T));
    expect(d.from).toBe(iso(T - 167 * HOUR));
    const ci = fisherCI(rho, 168);
    closeTo(d.ci95[0], ci[0]);
    closeTo(d.ci95[1], ci[1]);
    const before = pearson(windowOf(btc, 168, T - 168 * HOUR).values, windowOf(eth, 168, T - 168 * HOUR).values);
    closeTo(d.change!.rhoBefore, before);
    closeTo(d.change!.z, fisherZ(rho, 168, before, 168));
    expect(r.reply.title).toBe(`BTC / ETH: ρ ${signed3(rho)}`);
    expect(r.reply.footer).toContain('simulator');
  });

  it('the same query without the slash, in lower case, or with no command name', async () => {
    const first = (await env.rt.run(USER, '/corr BTC ETH')).reply.data as CorrData;
    for (const line of ['corr BTC ETH', 'corr btc eth', 'BTC ETH', '/corr btc ETH 168 pearson']) {
      const r = await env.rt.run(USER, line);
      expectOk(r);
      expect((r.reply.data as CorrData).rho, line).toBe(first.rho);
    }
  });

  it('window 60, 30d and all; method spearman; at', async () => {
    const btc = await fetchReturns('BTC', T - 800 * HOUR, T);
    const eth = await fetchReturns('ETH', T - 800 * HOUR, T);

    const w60 = (await env.rt.run(USER, 'corr BTC ETH 60')).reply.data as CorrData;
    expect(w60.n).toBe(60);
    closeTo(w60.rho, pearson(windowOf(btc, 60).values, windowOf(eth, 60).values));

    const w30d = (await env.rt.run(USER, 'corr BTC ETH 30d')).reply.data as CorrData;
    expect(w30d.n).toBe(720);
    closeTo(w30d.rho, pearson(windowOf(btc, 720).values, windowOf(eth, 720).values));

    const sp = (await env.rt.run(USER, 'corr BTC ETH spearman')).reply.data as CorrData;
    expect(sp.method).toBe('spearman');
    expect(sp.n).toBe(168);
    closeTo(sp.rho, spearman(windowOf(btc, 168).values, windowOf(eth, 168).values));

    const at = Date.UTC(2024, 1, 20, 6);
    const atR = (await env.rt.run(USER, 'corr BTC ETH 100 at:2024-02-20T06:00:00Z')).reply.data as CorrData;
    expect(atR.to).toBe(iso(at));
    closeTo(atR.rho, pearson(windowOf(btc, 100, at).values, windowOf(eth, 100, at).values));

    const all = await env.rt.run(USER, 'corr BTC ETH all');
    expectOk(all);
    const d = all.reply.data as CorrData;
    // "all" on a source without a file: as far back as market.maxBars allows
    expect(d.n).toBeGreaterThanOrEqual(env.config.market.maxBars - 1);
    expect(d.n).toBeLessThanOrEqual(env.config.market.maxBars);
    expect(d.to).toBe(iso(T));
    const bAll = await fetchReturns('BTC', T - d.n * HOUR, T);
    const eAll = await fetchReturns('ETH', T - d.n * HOUR, T);
    expect(d.from).toBe(iso(bAll.times[0]));
    closeTo(d.rho, pearson(bAll.values, eAll.values));
  });

  it('matrix of a basket uses its symbols and window; the BTC/ETH entry is their correlation', async () => {
    const r = await env.rt.run(USER, 'matrix majors');
    expectOk(r);
    const d = r.reply.data as MatrixResult;
    const majors = (await env.store.getBasket('majors'))!;
    expect(d.symbols).toEqual(majors.symbols);
    expect(d.n).toBe(168);
    const btc = await fetchReturns('BTC', T - 200 * HOUR, T);
    const sol = await fetchReturns('SOL', T - 200 * HOUR, T);
    closeTo(d.matrix[0][2], pearson(windowOf(btc, 168).values, windowOf(sol, 168).values));
    expect(r.reply.title).toBe('Correlation matrix: majors');
    const named = await env.rt.run(USER, 'matrix basket:majors');
    expect((named.reply.data as MatrixResult).matrix).toEqual(d.matrix);
  });

  it('compare on simulated bars: the two disjoint windows and the Fisher z', async () => {
    const r = await env.rt.run(USER, 'compare BTC SOL 50');
    expectOk(r);
    const d = r.reply.data as CompareResult;
    const btc = await fetchReturns('BTC', T - 120 * HOUR, T);
    const sol = await fetchReturns('SOL', T - 120 * HOUR, T);
    const now = pearson(windowOf(btc, 50).values, windowOf(sol, 50).values);
    const before = pearson(windowOf(btc, 50, T - 50 * HOUR).values, windowOf(sol, 50, T - 50 * HOUR).values);
    closeTo(d.rho, now);
    closeTo(d.rhoBefore, before);
    closeTo(d.z, fisherZ(now, 50, before, 50));
    expect(d.toBefore).toBe(iso(T - 50 * HOUR));
    expect(d.fromBefore).toBe(iso(T - 99 * HOUR));
  });
});

describe('user errors of the queries: private, saying what to fix', () => {
  let env: TestEnv;
  let dir: string;
  beforeAll(async () => {
    env = await makeEnv({ market: 'csv' });
    dir = mkdtempSync(join(tmpdir(), 'corrwatch-cmd-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const CORR_USAGE = 'usage: corr A B [WINDOW] [METHOD] [at:AT] [timeframe:TIMEFRAME]';

  it('unknown symbol: did you mean', async () => {
    expectUserError(await env.rt.run(USER, 'corr AAA CCX'), /CCX is not in example_wide\.csv; did you mean CCC\?/);
    expectUserError(await env.rt.run(USER, 'matrix AAA BBX CCC'), /BBX is not in example_wide\.csv; did you mean BBB\?/);
    expectUserError(await env.rt.run(USER, 'compare DDX AAA'), /DDX is not in example_wide\.csv; did you mean DDD\?/);
  });

  it('the same symbol twice', async () => {
    expectUserError(await env.rt.run(USER, 'corr AAA aaa'), 'corr needs two different symbols, got AAA twice');
    expectUserError(await env.rt.run(USER, 'compare BBB BBB 50'), 'compare needs two different symbols, got BBB twice');
    expectUserError(await env.rt.run(USER, 'matrix AAA BBB AAA'), 'AAA is listed twice');
  });

  it('bad window: the parser names the argument, what it expects, and shows the usage', async () => {
    const t = expectUserError(await env.rt.run(USER, 'corr AAA CCC 7days'), 'window: expected a bar count like 168, a duration like 7d, or "all", got "7days"');
    expect(t).toContain(CORR_USAGE);
    expectUserError(await env.rt.run(USER, 'corr AAA CCC window:0'), /window: expected .* got "0"\nusage: corr A B/);
    // a duration shorter than one bar of the file
    expectUserError(await env.rt.run(USER, 'corr AAA CCC 12h'), 'window: 12h is shorter than one 1d bar');
    expectUserError(await env.rt.run(USER, 'compare AAA DDD all'), 'compare needs a window size');
  });

  it('bad method, by position or by name', async () => {
    const t = expectUserError(await env.rt.run(USER, 'corr AAA CCC 60 kendall'), 'method: expected pearson | spearman, got "kendall"');
    expect(t).toContain(CORR_USAGE);
    expectUserError(await env.rt.run(USER, 'corr AAA CCC method:kendall'), 'method: expected pearson | spearman, got "kendall"');
    expectUserError(await env.rt.run(USER, 'matrix AAA BBB method:kendall'), /method: expected pearson \| spearman, got "kendall"\nusage: matrix/);
  });

  it('too few returns for a correlation', async () => {
    expectUserError(await env.rt.run(USER, 'corr AAA CCC 10'), /only 10 returns in the window .*at least 20/);
    expectUserError(await env.rt.run(USER, 'corr AAA CCC 60 at:2023-01-15'), /only 13 returns in the window .*at least 20/);
    expectUserError(await env.rt.run(USER, 'compare AAA DDD 200'), /compare needs 400 returns .*only 300/);
  });

  it('a flat series (zero variance) in a CSV written by the test', async () => {
    const path = join(dir, 'flat.csv');
    const rows = ['timestamp,MOVER,FLAT'];
    for (let i = 0; i < 40; i++) rows.push(`${iso(Date.UTC(2023, 0, 1) + i * DAY)},${(100 * Math.exp(0.02 * Math.sin(i * 1.7))).toFixed(6)},10`);
    writeFileSync(path, rows.join('\n') + '\n');
    const flatEnv = await makeEnv({ market: csvSource(path) });
    const r = await flatEnv.rt.run(USER, 'corr MOVER FLAT all');
    expectUserError(r, /FLAT has zero variance over the window/);
    expectUserError(await flatEnv.rt.run(USER, 'matrix MOVER FLAT window:all'), /FLAT has zero variance/);
    // the moving series alone is fine: the error is about the flat one
    expect(r.reply.text).not.toMatch(/MOVER has zero variance/);
  });

  it('unknown command with a suggestion, and unknown subcommands', async () => {
    const t = expectUserError(await env.rt.run(USER, 'matrx AAA BBB'), 'unknown command "matrx"; did you mean matrix?');
    expect(t).toContain('help');
    expectUserError(await env.rt.run(USER, '/regme majors'), 'unknown command "regme"; did you mean regime?');
    const b = expectUserError(await env.rt.run(USER, 'basket lst'), 'unknown basket subcommand "lst"; did you mean list?');
    expect(b).toContain('usage: basket list | show | create | add | remove | delete | set');
    expectUserError(await env.rt.run(USER, 'alerts snoze majors 4h'), 'unknown alerts subcommand "snoze"; did you mean snooze?');
    expectUserError(await env.rt.run(USER, 'help matrx'), 'unknown command "matrx"; did you mean matrix?');
    // after the bot's own `corr` a word that is no command starts a pair query: the unknown symbol is offered as the command too
    const typo = expectUserError(await env.rt.run(USER, '/corr matirx AAA'), 'unknown command "matirx"; did you mean matrix AAA? (As a pair of symbols: ');
    expect(typo).toMatch(/MATIRX/);
    expectUserError(await env.rt.run(USER, 'corr regmie majors'), 'unknown command "regmie"; did you mean regime majors?');
    // a pair that is merely unknown (in capitals, or no command near it) is only that
    expect(expectUserError(await env.rt.run(USER, '/corr MATIRX AAA'))).not.toMatch(/unknown command/);
    expect(expectUserError(await env.rt.run(USER, '/corr zzqx AAA'))).not.toMatch(/unknown command/);
  });

  it('missing arguments name what is missing and show the usage', async () => {
    const t = expectUserError(await env.rt.run(USER, 'corr AAA'), 'missing b: a symbol like BTC or ETH/BTC');
    expect(t).toContain(CORR_USAGE);
    expectUserError(await env.rt.run(USER, 'compare'), /^missing a: .*\nusage: compare A B/);
    expectUserError(await env.rt.run(ADMIN, 'basket show'), /^missing name: .*\nusage: basket show NAME/);
    expectUserError(await env.rt.run(ADMIN, 'alerts snooze majors'), /^missing duration: .*\nusage: alerts snooze BASKET DURATION/);
    expectUserError(await env.rt.run(USER, 'matrix'), 'matrix needs a basket name or at least two symbols');
    expectUserError(await env.rt.run(USER, 'matrix AAA'), '"AAA" is not a basket; give a basket name or at least two symbols');
  });

  it('other malformed input: bad time, extra words, options the chat does not offer, both a basket and symbols', async () => {
    expectUserError(await env.rt.run(USER, 'corr AAA CCC at:yesterday'), /at: expected an ISO-8601 time .*got "yesterday"\nusage: corr/);
    expectUserError(await env.rt.run(USER, 'corr AAA CCC 60 pearson extra'), /unexpected "extra"\nusage: corr/);
    expectUserError(await env.rt.run(USER, 'corr AAA CCC --json'), 'unknown option "--json"');
    expectUserError(await env.rt.run(USER, 'corr AAA CCC --source sim:1'), 'unknown option "--source"');
    expectUserError(await env.rt.run(USER, 'corr AAA "CCC'), 'unbalanced quote');
    expectUserError(await env.rt.run(USER, 'matrix basket:majors AAA'), 'give either a basket or symbols, not both');
    expectUserError(await env.rt.run(USER, 'corr AAA CCC timeframe:1h'), /example_wide\.csv has 1d bars: use 1d or a whole multiple/);
  });

  it('queries never write to the store', async () => {
    const before = await storeSnapshot(env.store);
    await env.rt.run(USER, 'corr AAA CCC');
    await env.rt.run(USER, 'matrix AAA BBB CCC');
    await env.rt.run(USER, 'corr AAA CCX');
    expect(await storeSnapshot(env.store)).toBe(before);
  });
});
