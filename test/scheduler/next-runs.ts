// Child-process helper for cron.test.ts (the process time zone is fixed at start, so a test that needs another
// zone runs this with TZ set): schedules each argv timeframe's autoSchedule through scheduleTicks and prints the
// next fire times the created node-cron task reports, as JSON { [timeframe]: ms[] }.
import cron from 'node-cron';
import { silentLogger } from '../../src/log.js';
import { autoSchedule, scheduleTicks } from '../../src/scheduler/cron.js';

const out: Record<string, number[]> = {};
for (const tf of process.argv.slice(2)) {
  const before = new Set(cron.getTasks().keys());
  const ticks = scheduleTicks(autoSchedule([tf]), async () => {}, silentLogger);
  const created = [...cron.getTasks().entries()].filter(([id]) => !before.has(id)).map(([, t]) => t);
  if (created.length !== 1) throw new Error(`expected one new cron task, got ${created.length}`);
  out[tf] = created[0].getNextRuns(6).map((d) => d.getTime());
  await ticks.stop();
}
process.stdout.write(JSON.stringify(out));
