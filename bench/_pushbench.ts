import { RollingCorrelation } from '/work/main/src/stats/rolling.js';
const N = 100, W = 168, BARS = 5000;
let s = 7; const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
const rows = Array.from({ length: BARS + W }, () => Float64Array.from({ length: N }, () => u() - 0.5));
for (const opts of [{}, { recomputeEvery: Infinity }]) for (let rep = 0; rep < 4; rep++) {
  const rc = new RollingCorrelation(N, W, opts); const out = new Float64Array(N * N);
  for (let t = 0; t < W; t++) rc.push(rows[t]);
  let t0 = performance.now();
  for (let t = W; t < W + BARS; t++) rc.push(rows[t]);
  const push = (performance.now() - t0) * 1000 / BARS;
  t0 = performance.now();
  for (let k = 0; k < 2000; k++) rc.correlation(out);
  const corr = (performance.now() - t0) * 1000 / 2000;
  console.log(JSON.stringify(opts), 'push', push.toFixed(2), 'corr', corr.toFixed(2), rc.exactRecomputes);
}
