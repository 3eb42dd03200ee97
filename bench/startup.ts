/**
 * Start-up cost of the CLI as a cron job or a script runs it: wall time from spawn to exit and peak RSS of
 * `corrwatch --help` and of a text-only `corr` on the simulator, each against `node -e 0` measured in the same run
 * (median of RUNS runs after a warm-up), and the same two through the npx wrapper. Runs the compiled CLI
 * (`node bin/corrwatch.js`): builds it first (`npm run build`), and says so and skips when it cannot.
 * Run alone with `npx tsx bench/startup.ts`; bench/index.ts calls benchStartup().
 *
 * Peak RSS comes from a preloaded module (NODE_OPTIONS=--import) that records the process's VmHWM (Linux) at
 * exit: the same preload in every process measured, the baseline included. Through npx it is the largest of npm's
 * and corrwatch's processes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..');
const RUNS = 7;

interface Measured {
  ms: number;
  rssMb: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchStartup(): Promise<void> {
  console.log(`\nstart-up of the CLI (wall time spawn to exit, peak RSS; median of ${RUNS} runs, against node -e 0)`);
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) {
    const why = (build.error?.message ?? `${build.stdout}${build.stderr}`).trim().split('\n').slice(0, 3).join(' / ');
    if (!existsSync(join(ROOT, 'dist', 'src', 'cli-run.js'))) {
      console.log(`  skipped: npm run build failed and there is no dist/ to run (${why})`);
      return;
    }
    console.log(`  note: npm run build failed, measuring the dist/ already there (${why})`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'cw-startup-'));
  const hook = join(dir, 'maxrss.mjs');
  const rssLog = join(dir, 'maxrss.txt');
  writeFileSync(
    hook,
    // VmHWM (Linux): the peak RSS of this process's own memory since its exec. getrusage's maxRSS is not used: on
    // Linux it survives exec, so every child of a large bench process reported the bench's own peak.
    "import { appendFileSync, readFileSync } from 'node:fs';\n" +
      "const peakKb = () => { try { return Number(/VmHWM:\\s*(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]); } catch { return process.resourceUsage().maxRSS; } };\n" +
      "process.on('exit', () => appendFileSync(process.env.CW_MAXRSS_LOG, peakKb() + '\\n'));\n",
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: `--import=${pathToFileURL(hook).href}`,
    CW_MAXRSS_LOG: rssLog,
    CORRWATCH_DATA_DIR: join(dir, 'data'),
    // npx must not ask the registry: corrwatch is the project's own bin.
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
  };
  delete env.CORRWATCH_CONFIG;

  /** Median wall time and peak RSS of `cmd args` (null when it fails: the reason is printed). */
  const measure = (cmd: string, args: string[]): Measured | null => {
    const times: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      writeFileSync(rssLog, '');
      const t0 = performance.now();
      const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
      const ms = performance.now() - t0;
      if (r.status !== 0) {
        console.log(`  ${[cmd, ...args].join(' ')}: failed (${(r.error?.message ?? r.stderr).trim().split('\n')[0]}); not measured`);
        return null;
      }
      // Run 0 warms the file cache (and the candle cache of the simulator query).
      if (i === 0) continue;
      times.push(ms);
      rss.push(Math.max(...readFileSync(rssLog, 'utf8').split('\n').filter(Boolean).map(Number)) / 1024);
    }
    return { ms: median(times), rssMb: median(rss) };
  };

  try {
    const node = process.execPath;
    const corr = ['corr', 'BTC', 'ETH', '--source', 'sim:42'];
    const base = measure(node, ['-e', '0']);
    if (!base) return;
    const rows: [string, Measured | null][] = [
      ['node bin/corrwatch.js --help', measure(node, ['bin/corrwatch.js', '--help'])],
      ['node bin/corrwatch.js corr (sim)', measure(node, ['bin/corrwatch.js', ...corr])],
      // `npx corrwatch --help` would show npm's own help: `--` passes it on.
      ['npx corrwatch -- --help', measure('npx', ['--no', '--', 'corrwatch', '--help'])],
      ['npx corrwatch corr (sim)', measure('npx', ['--no', '--', 'corrwatch', ...corr])],
    ];
    console.log(`${'command'.padEnd(36)}${'ms'.padStart(8)}${'x node'.padStart(9)}${'peak MB'.padStart(10)}${'x node'.padStart(9)}`);
    const line = (name: string, m: Measured) =>
      console.log(
        `${name.padEnd(36)}${m.ms.toFixed(0).padStart(8)}${(m.ms / base.ms).toFixed(1).padStart(9)}${m.rssMb.toFixed(0).padStart(10)}${(m.rssMb / base.rssMb).toFixed(1).padStart(9)}`,
      );
    line('baseline: node -e 0', base);
    for (const [name, m] of rows) if (m) line(name, m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchStartup();
}
