/**
 * Spread of the GARCH(1,1) and DCC(1,1) estimates over seeds, on data simulated from known parameters: the
 * tolerances of the recovery tests in test/forecast/ (4 sd) come from here. Prints mean, sd, and the worst
 * |error| / sd, per parameter.
 *
 *   npx tsx scripts/forecast-recovery.ts [seeds=100]
 */
import { fitCorrelationForecaster } from '../src/forecast/dcc.js';
import { fitGarch } from '../src/forecast/garch.js';
import { assetGarch, simulateDcc, simulateGarch, factorCorrelation } from '../test/forecast/simulate.js';

const seeds = Number(process.argv[2] ?? 100);

function summary(name: string, truth: number, xs: number[]): void {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
  const worst = Math.max(...xs.map((x) => Math.abs(x - truth)));
  console.log(`${name}: true ${truth}, mean ${m.toFixed(4)}, sd ${sd.toFixed(4)}, worst |error| ${worst.toFixed(4)} = ${(worst / sd).toFixed(2)} sd`);
}

// GARCH: T = 2000, α = 0.08, β = 0.90 (as in test/forecast/garch.test.ts).
{
  const p = { omega: 1e-4 * 0.02, alpha: 0.08, beta: 0.9 };
  const al: number[] = [];
  const be: number[] = [];
  let unconverged = 0;
  const t0 = performance.now();
  for (let s = 1; s <= seeds; s++) {
    const fit = fitGarch(simulateGarch(2000, p, 1000 + s));
    if (!fit.converged) unconverged++;
    al.push(fit.params.alpha);
    be.push(fit.params.beta);
  }
  console.log(`GARCH(1,1), T = 2000, ${seeds} seeds, ${((performance.now() - t0) / seeds).toFixed(1)} ms per fit, ${unconverged} not converged`);
  summary('  alpha', p.alpha, al);
  summary('  beta', p.beta, be);
}

// DCC: N = 3, T = 3000, a = 0.05, b = 0.90 (as in test/forecast/dcc.test.ts).
for (const [N, T] of [
  [3, 3000],
  [12, 2000],
]) {
  const spec = { T, a: 0.05, b: 0.9, qbar: factorCorrelation(N), garch: assetGarch(N) };
  const as: number[] = [];
  const bs: number[] = [];
  const fallbacks: string[] = [];
  const t0 = performance.now();
  for (let s = 1; s <= seeds; s++) {
    const f = fitCorrelationForecaster(simulateDcc({ ...spec, seed: 2000 + s }));
    if (f.model.kind === 'ewma') {
      fallbacks.push(f.model.reason);
      continue;
    }
    as.push(f.model.a);
    bs.push(f.model.b);
  }
  console.log(`DCC(1,1), N = ${N}, T = ${T}, ${seeds} seeds, ${((performance.now() - t0) / seeds).toFixed(0)} ms per fit, ${fallbacks.length} fallbacks ${fallbacks.slice(0, 3).join(' | ')}`);
  summary('  a', spec.a, as);
  summary('  b', spec.b, bs);
}
