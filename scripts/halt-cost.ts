// Measures what a halted symbol costs the detector: false convergence episodes on null data (constant correlation
// 0.3, t5 tails, hourly, shipped settings) when one of five symbols stops moving for a while, against the same runs
// without the halt. Two kinds of halt: the price resumes where it stopped (a stablecoin, an exchange's flat
// maintenance candles), or it jumps to where the market went meanwhile (a suspended stock reopening). And, without a
// halt, three one-bar jumps (15 sigma by default) in single symbols, and an illiquid market (prices on a coarse tick
// grid: many zero returns, which must not be taken for halts), a near-duplicate pair (rho 0.999) and an exact copy.
//   npx tsx scripts/halt-cost.ts [seeds=10] [haltBars=400] [spike=0.15 (a log return; the volatility is 0.01)]
// docs/methods.md ("Data hygiene") quotes its output.
import { runBacktest } from '../src/backtest/run.js';
import { generate, type Scenario } from '../test/quality/generate.js';
import { shippedSettings } from '../test/quality/scenarios.js';

const seeds = Number(process.argv[2] ?? 10);
const haltBars = Number(process.argv[3] ?? 400);
const bars = 6000;
const haltFrom = 2500;
const spike = Number(process.argv[4] ?? 0.15);
const halted = 2;

type Kind = 'none' | 'flat' | 'jump' | 'spikes' | 'ticks' | 'pair' | 'copy';

function run(seed: number, kind: Kind): { falseEpisodes: number; firstAfterHalt: number | null; read: number; bars: number } {
  const halts = kind === 'flat' || kind === 'jump' ? [{ asset: halted, from: haltFrom, bars: haltBars, flat: kind === 'flat' }] : [];
  // Not a halt either: symbol 4 tracks symbol 0 at rho 0.999 (one asset on two venues), or copies it exactly.
  const copies = kind === 'pair' ? [{ asset: 4, of: 0, rho: 0.999 }] : kind === 'copy' ? [{ asset: 4, of: 0, rho: 1 }] : [];
  const scenario: Scenario = { name: 'halt', assets: 5, bars, seed, df: 5, segments: [{ from: 0, rho: 0.3, vol: 0.01 }], halts, copies };
  const rw = generate(scenario);
  if (kind === 'ticks') {
    // Not a halt: an illiquid market. Every price on a grid of 0.01 around 1, so 40-45% of the returns are zero and
    // runs of zeros are common; none of them may be taken for a halt (the basket must keep its readings).
    for (const r of rw.returns) {
      let logp = 0;
      let shown = 1;
      for (let t = 0; t < r.length; t++) {
        logp += r[t];
        const p = Math.round(Math.exp(logp) / 0.01) * 0.01;
        r[t] = Math.log(p / shown);
        shown = p;
      }
    }
  }
  if (kind === 'spikes') {
    // Not a halt: three one-bar idiosyncratic jumps (an earnings gap, a listing), in three symbols.
    for (const [k, i] of [[haltFrom, 1], [haltFrom + 1000, 3], [haltFrom + 2000, 0]]) rw.returns[i][k] += spike;
  }
  const { detector, policy } = shippedSettings(rw);
  const result = runBacktest(rw, detector, policy, { keepReadings: false });
  const index = new Map<number, number>();
  rw.times.forEach((t, k) => index.set(t, k));
  const firings = result.alerts.filter((a) => a.state === 'firing').map((a) => index.get(Date.parse(a.at)) as number);
  const after = firings.filter((f) => f >= haltFrom);
  const read = Object.values(result.summary.regimeBars).reduce((a, b) => a + b, 0);
  return { falseEpisodes: firings.length, firstAfterHalt: after.length ? after[0] - haltFrom : null, read, bars: rw.times.length };
}

console.log(`null data, 5 symbols, constant rho 0.3, ${bars} hourly bars; symbol ${halted} halted for ${haltBars} bars from bar ${haltFrom}; ${seeds} seeds`);
for (const kind of ['none', 'flat', 'jump', 'spikes', 'ticks', 'pair', 'copy'] as const) {
  let total = 0;
  let runsWith = 0;
  let read = 0;
  let all = 0;
  const firsts: number[] = [];
  for (let k = 0; k < seeds; k++) {
    const m = run(100 + k, kind);
    total += m.falseEpisodes;
    if (m.falseEpisodes > 0) runsWith++;
    if (m.firstAfterHalt !== null) firsts.push(m.firstAfterHalt);
    read += m.read;
    all += m.bars;
  }
  console.log(
    `${kind.padEnd(6)} false episodes ${total} in ${runsWith} of ${seeds} runs; bars with a reading ${((100 * read) / all).toFixed(1)}%; first episode after the halt began (bars): ${firsts.length ? firsts.join(', ') : '-'}`,
  );
}
