/**
 * Per-bar cost of the two eigen readings of a bar (issue 9) on a rolling sequence, W = 168 returns of seeded
 * synthetic one-factor returns (pairwise ρ ≈ 0.3), N = 10/20/50/100, all measured in the same run:
 *   full       symmetricEigenvalues (ml-matrix, O(N³)): what each of λ_1/N and the absorption ratio costs today
 *   λ1 warm    TopEigen.largest on the correlation matrix, warm-started from the previous bar's vector
 *   λ1 cold    the same, restarted from a fixed vector every bar (what the warm start saves)
 *   topSum     TopEigen.topSum(cov, k = round(N/5)) on the covariance matrix (the absorption ratio's numerator)
 * with the fallback rates (calls answered by the full decomposition) and the largest deviation from the full
 * decomposition over all bars. The matrices are computed once beforehand (RollingCorrelation); only the eigen work
 * is timed.
 * Run alone with `npx tsx bench/eigen.ts`; bench/index.ts calls benchEigen().
 */
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { RollingCorrelation, symmetricEigenvalues, TopEigen } from '../src/stats/index.js';

const W = 168;
const REPEATS = 3;
let sink = 0;

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** `bars` consecutive rolling correlation and covariance matrices of r_it = 0.01·(β_i f_t + e_it), β_i ≈ 0.65 (ρ ≈ 0.3). */
function sequence(N: number, bars: number, seed: number): { corr: Float64Array[]; cov: Float64Array[] } {
  const u = rng(seed);
  const g = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const beta = Array.from({ length: N }, () => 0.655 * (0.8 + 0.4 * u()));
  const rc = new RollingCorrelation(N, W);
  const corr: Float64Array[] = [];
  const cov: Float64Array[] = [];
  for (let t = 0; t < W + bars; t++) {
    const f = g();
    rc.push(Float64Array.from(beta, (b) => 0.01 * (b * f + g())));
    if (t < W) continue;
    corr.push(rc.correlation());
    cov.push(rc.covariance());
  }
  return { corr, cov };
}

function cpuNow(): number {
  const c = process.cpuUsage();
  return c.user + c.system;
}

/** Smallest of REPEATS timings (µs per bar) after a warm-up run: the least disturbed by other processes. */
function best(measure: () => number): number {
  measure();
  let m = Infinity;
  for (let r = 0; r < REPEATS; r++) m = Math.min(m, measure());
  return m;
}

function perBar(bars: number, setup: () => (t: number) => number): number {
  return best(() => {
    const step = setup();
    const start = cpuNow();
    for (let t = 0; t < bars; t++) sink += step(t);
    return (cpuNow() - start) / bars;
  });
}

export async function benchEigen(): Promise<void> {
  const table: string[][] = [];
  for (const [N, bars] of [
    [10, 3000],
    [20, 2000],
    [50, 500],
    [100, 250],
  ] as const) {
    const k = Math.max(1, Math.round(N / 5));
    const { corr, cov } = sequence(N, bars, 4000 + N);
    const full = perBar(bars, () => (t) => symmetricEigenvalues(corr[t], N)[0]);
    const warm = perBar(bars, () => {
      const te = new TopEigen(N);
      return (t) => te.largest(corr[t]);
    });
    const cold = perBar(bars, () => {
      const te = new TopEigen(N);
      return (t) => {
        te.reset();
        return te.largest(corr[t]);
      };
    });
    const top = perBar(bars, () => {
      const te = new TopEigen(N);
      return (t) => te.topSum(cov[t], k);
    });
    // one untimed pass for the counters and the deviation from the full decomposition
    const l1 = new TopEigen(N);
    const ts = new TopEigen(N);
    let errL = 0;
    let errS = 0;
    for (let t = 0; t < bars; t++) {
      const e1 = symmetricEigenvalues(corr[t], N);
      errL = Math.max(errL, Math.abs(l1.largest(corr[t]) - e1[0]) / e1[0]);
      const e2 = symmetricEigenvalues(cov[t], N);
      let s = 0;
      for (let i = 0; i < k; i++) s += e2[i];
      errS = Math.max(errS, Math.abs(ts.topSum(cov[t], k) - s) / s);
    }
    const reasons = Object.entries(ts.fallbackReasons)
      .filter(([, n]) => n > 0)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ');
    table.push([
      String(N),
      String(k),
      String(bars),
      full.toFixed(1),
      warm.toFixed(2),
      cold.toFixed(2),
      top.toFixed(1),
      (full / warm).toFixed(0),
      (full / cold).toFixed(0),
      (full / top).toFixed(2),
      ((2 * full) / (warm + top)).toFixed(2),
      (l1.iterations / l1.calls).toFixed(1),
      `${(100 * l1.fallbackRate).toFixed(1)}%`,
      `${(100 * ts.fallbackRate).toFixed(1)}%${reasons ? ` (${reasons})` : ''}`,
      errL.toExponential(1),
      errS.toExponential(1),
    ]);
  }

  const head = ['N', 'k', 'bars', 'full', 'λ1 warm', 'λ1 cold', 'topSum', 'full/λ1 warm', 'full/λ1 cold', 'full/topSum', 'bar now/new', 'λ1 iter/bar', 'λ1 fallback', 'topSum fallback', 'λ1 max rel err', 'topSum max rel err'];
  const widths = head.map((h, c) => Math.max(h.length, ...table.map((r) => r[c].length)) + 2);
  console.log(`\neigen readings per bar on a rolling sequence, W = ${W}, one-factor returns (ρ ≈ 0.3); CPU µs per bar (process.cpuUsage), best of ${REPEATS} runs;`);
  console.log(`full: symmetricEigenvalues (ml-matrix); λ1: TopEigen.largest(corr), warm-started or reset every bar; topSum: TopEigen.topSum(cov, k = round(N/5));`);
  console.log(`"bar now/new": 2 × full (λ1/N and the absorption ratio today) over λ1 warm + topSum; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs`);
  console.log(head.map((h, c) => h.padStart(widths[c])).join(''));
  for (const r of table) console.log(r.map((v, c) => v.padStart(widths[c])).join(''));
  if (Number.isNaN(sink)) console.log('(unreachable: keeps results alive)');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchEigen();
}
