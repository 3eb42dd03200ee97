// Prints the quality figures for docs/methods.md and the README:
//   npx tsx test/quality/report.ts [seeds=10] [falseAlarmYears=the config's]
// Each scenario runs on `seeds` seeds (its own, then +1000, +2000, ...) through the whole backtest with the shipped
// defaults of its timeframe; a second argument recalibrates the entry level for another false-alarm rate.
import { defaultEnterZ } from '../../src/regime/calibration.js';
import { generate } from './generate.js';
import { measure, SCENARIOS, shippedSettings } from './scenarios.js';

const seeds = Number(process.argv[2] ?? 10);
const years = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
for (const s of SCENARIOS) {
  const delays: number[] = [];
  let missed = 0;
  let falseAlarms = 0;
  let episodes = 0;
  let bars = 0;
  const { detector } = shippedSettings(generate({ ...s.scenario, bars: 2 }));
  const timeframe = s.scenario.calendar === 'business-daily' ? '1d' : '1h';
  const overrides = years === undefined ? {} : { thresholds: { ...detector.thresholds, enterZ: defaultEnterZ(timeframe, years) } };
  for (let k = 0; k < seeds; k++) {
    const m = measure({ ...s, scenario: { ...s.scenario, seed: s.scenario.seed + 1000 * k } }, overrides);
    for (const d of m.delays) {
      if (d === null) missed++;
      else delays.push(d);
    }
    falseAlarms += m.falseAlarms;
    episodes += m.result.summary.notifications.firing;
    bars += s.scenario.bars;
  }
  delays.sort((a, b) => a - b);
  const q = (p: number) => (delays.length ? delays[Math.min(delays.length - 1, Math.floor(p * (delays.length - 1)))] : NaN);
  const enterZ = overrides.thresholds?.enterZ ?? detector.thresholds.enterZ;
  console.log(
    `${s.scenario.name.padEnd(52)} enterZ ${enterZ} · ${seeds} seeds, ${bars} bars: delay median ${q(0.5)} p90 ${q(0.9)} worst ${q(1)} (target ${s.target ?? '-'}) missed ${missed} | false episodes ${falseAlarms} (all episodes ${episodes})`,
  );
}
