// Prints the quality figures for the note: `npx tsx test/quality/report.ts`.
import { measure, SCENARIOS } from './scenarios.js';

for (const s of SCENARIOS) {
  const m = measure(s);
  const d = m.delays.filter((x): x is number => x !== null).sort((a, b) => a - b);
  const median = d.length ? d[Math.floor((d.length - 1) / 2)] : null;
  console.log(
    `${m.name.padEnd(42)} delays ${JSON.stringify(m.delays)} median ${median ?? '-'} worst ${d.length ? d[d.length - 1] : '-'} ` +
      `false alarms ${m.falseAlarms} episodes ${m.result.summary.notifications.firing} resolved ${m.result.summary.notifications.resolved}`,
  );
}
