/**
 * Per-bar cost of rolling correlation matrices, W = 168 returns, N = 20/50/100 assets, 5,000 bars of seeded
 * synthetic one-factor returns, all measured in the same run:
 *   (a) RollingCorrelation.push + correlation(out)   incremental O(N²), exact recompute every W pushes (amortised in);
 *       also without the periodic recompute (the drift bound alone), and push and correlation() separately
 *   (b) correlationMatrix over the window per bar     exact two-pass, O(N²·W)
 *   (c) simple-statistics sampleCorrelation per pair  O(N²·W), number[] windows sliced once per bar (counted)
 * (b) and (c) are timed on a subset of the bars (printed). Plus the eigen-decomposition
 * methods at N = 100 (which one symmetricEigenvalues uses).
 * Run alone with `npx tsx bench/rolling.ts`; bench/index.ts calls benchRolling().
 */
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { sampleCorrelation } from 'simple-statistics';
import { correlationMatrix, mlMatrixEigenvalues, RollingCorrelation, type RollingOptions } from '../src/stats/index.js';
import { jacobiEigenvalues } from '../test/helpers/eigen.js';

const BARS = 5000;
const W = 168;

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** BARS + W rows (the first W only fill the window) of r_it = 0.01·(β_i f_t + e_it), and the same data by column. */
function synth(N: number, seed: number): { rows: Float64Array[]; cols: Float64Array[] } {
  const u = rng(seed);
  const g = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const beta = Array.from({ length: N }, () => 0.2 + u());
  const rows = Array.from({ length: BARS + W }, () => {
    const f = g();
    return Float64Array.from(beta, (b) => 0.01 * (b * f + g()));
  });
  const cols = Array.from({ length: N }, (_, i) => Float64Array.from(rows, (r) => r[i]));
  return { rows, cols };
}

let sink = 0;
const REPEATS = 5;

/**
 * Process CPU time in µs (user + system). On a shared machine, time slices lost to other processes inflate
 * wall-clock timings several-fold; CPU time counts only what this process ran.
 */
function cpuNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Smallest of REPEATS timings (µs per bar): the least disturbed by other processes on a shared machine. */
function best(measure: () => number): number {
  measure(); // warm-up (JIT)
  let m = Infinity;
  for (let k = 0; k < REPEATS; k++) m = Math.min(m, measure());
  return m;
}

/** µs per bar of a per-bar function over bars [W, W + bars). */
function perBar(bars: number, step: (t: number) => void): number {
  return best(() => {
    const start = cpuNow();
    for (let t = W; t < W + bars; t++) step(t);
    return (cpuNow() - start) / bars;
  });
}

/** µs per bar of the rolling estimator over all BARS bars; the window is filled first (not timed). */
function rolling(N: number, rows: Float64Array[], what: 'push+corr' | 'push' | 'corr', clock = cpuNow, opts: RollingOptions = {}): number {
  return best(() => {
    const rc = new RollingCorrelation(N, W, opts);
    const out = new Float64Array(N * N);
    for (let t = 0; t < W; t++) rc.push(rows[t]);
    let start = clock();
    if (what === 'corr') {
      for (let t = W; t < W + BARS; t++) rc.push(rows[t]);
      start = clock();
      for (let t = 0; t < BARS; t++) rc.correlation(out);
    } else {
      for (let t = W; t < W + BARS; t++) {
        rc.push(rows[t]);
        if (what === 'push+corr') rc.correlation(out);
      }
    }
    const us = (clock() - start) / BARS;
    sink += out[1];
    return us;
  });
}

/**
 * Machine-speed reference measured in the same run: one rank-1 update of an upper triangle,
 * c_ij += a_i·b_j for i <= j (N(N+1)/2 multiply-adds on Float64Array), the least any O(N²) update can cost.
 * (a) / baseline is a cost in "multiply-add sweeps", comparable across machines and load levels.
 */
function baseline(N: number): number {
  const a = Float64Array.from({ length: N }, (_, i) => 1 / (i + 1));
  const b = Float64Array.from({ length: N }, (_, i) => 1 / (i + 2));
  const c = new Float64Array(N * N);
  return best(() => {
    const start = cpuNow();
    for (let rep = 0; rep < BARS; rep++) {
      for (let i = 0; i < N; i++) {
        const ai = a[i];
        const o = i * N;
        for (let j = i; j < N; j++) c[o + j] += ai * b[j];
      }
    }
    sink += c[1];
    return (cpuNow() - start) / BARS;
  });
}

export async function benchRolling(): Promise<void> {
  const table: string[][] = [];
  for (const N of [20, 50, 100]) {
    const { rows, cols } = synth(N, 1000 + N);
    const base = baseline(N);
    const a = rolling(N, rows, 'push+corr');
    const aWall = rolling(N, rows, 'push+corr', () => performance.now() * 1000);
    const driftOnly = rolling(N, rows, 'push+corr', cpuNow, { recomputeEvery: Infinity });
    const push = rolling(N, rows, 'push');
    const corrOnly = rolling(N, rows, 'corr');
    const bBars = N === 100 ? 200 : N === 50 ? 500 : 2000;
    const b = perBar(bBars, (t) => {
      sink += correlationMatrix(cols, t - W + 1, t + 1).corr[1];
    });
    const cBars = N === 100 ? 10 : N === 50 ? 40 : 200;
    const c = perBar(cBars, (t) => {
      const win = cols.map((x) => Array.from(x.subarray(t - W + 1, t + 1)));
      for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) sink += sampleCorrelation(win[i], win[j]);
    });
    table.push([
      String(N),
      base.toFixed(2),
      a.toFixed(2),
      (a / base).toFixed(1),
      aWall.toFixed(2),
      driftOnly.toFixed(2),
      push.toFixed(2),
      corrOnly.toFixed(2),
      b.toFixed(1),
      c.toFixed(0),
      (b / a).toFixed(0),
      (c / a).toFixed(0),
      `${bBars}/${cBars}`,
    ]);
  }

  const head = ['N', 'baseline', '(a) push+corr', '(a)/base', '(a) wall', '(a) no periodic', 'push only', 'corr only', '(b) two-pass', '(c) simple-stats', '(b)/(a)', '(c)/(a)', 'bars timed (b)/(c)'];
  const widths = head.map((h, k) => Math.max(h.length, ...table.map((r) => r[k].length)) + 2);
  const load = loadavg()[0].toFixed(1);
  console.log(`\nrolling correlation, W = ${W}; CPU µs per bar (process.cpuUsage; "(a) wall" is wall-clock), best of ${REPEATS} runs;`);
  console.log(`(a), push and corr over ${BARS} bars; "(a) no periodic": recomputeEvery = Infinity (drift-bound recomputes only);`);
  console.log(`(b) and (c) over the first bars shown in the last column (they cost the same every bar); load average ${load} on ${cpus().length} CPUs;`);
  console.log('baseline: N(N+1)/2 Float64Array multiply-adds (one rank-1 triangle update), the floor for any O(N²) update');
  console.log(head.map((h, k) => h.padStart(widths[k])).join(''));
  for (const r of table) console.log(r.map((v, k) => v.padStart(widths[k])).join(''));

  const N = 100;
  const { cols } = synth(N, 7);
  const { corr } = correlationMatrix(cols, 0, 500);
  const eig = (f: (m: Float64Array, n: number) => Float64Array) =>
    best(() => {
      const start = cpuNow();
      sink += f(corr, N)[0];
      return (cpuNow() - start) / 1000;
    });
  console.log(`eigenvalues of a ${N}×${N} correlation matrix (CPU ms): ml-matrix ${eig(mlMatrixEigenvalues).toFixed(1)} ms, cyclic Jacobi ${eig(jacobiEigenvalues).toFixed(1)} ms`);
  if (Number.isNaN(sink)) console.log('(unreachable: keeps results alive)');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchRolling();
}
