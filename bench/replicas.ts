// Issue 13 scale-out: basket-bars evaluated a minute by 1, 2 and 3 `corrwatch start` replicas (each its own process)
// on one PostgreSQL database, against the fake exchange answering every klines request 200 ms late (its delayMs
// behaviour), reported as ratios against 1 replica. Each run starts on a fresh database with the same baskets (1 s
// bars, three markets of their own each, so no two baskets share a fetch), one job a second per basket: more than the
// replicas can evaluate, so they work flat out and the figure is their capacity. After a warm-up (each replica's first
// job of a basket replays its history), the tick lines the replicas print (`basket: regime (+n bars)`, one a job) are
// added up over the measuring window. A job waits mostly on the exchange, so capacity grows with the replicas (and
// their `replicas.workers`) until the machine's CPU or the database is the limit.
//
// Knobs: BENCH_REPLICAS_BASKETS (default 60), BENCH_REPLICAS_WORKERS (jobs a replica evaluates at once, default 2),
// BENCH_REPLICAS_SECONDS (measuring window, default 30), BENCH_REPLICAS_LATENCY_MS (default 200). About 3 minutes in all.
// Needs PostgreSQL's server binaries (as the tests: test/helpers/postgres.ts); without them it says so and skips.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { seedBaskets } from '../src/config/baskets.js';
import { loadConfig } from '../src/config/load.js';
import { PostgresStore } from '../src/store/postgres/index.js';
import { startFakeExchange, type FakeMarket } from '../test/fakes/fake-exchange.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { cpuSeconds } from './proc.js';

const ROOT = join(import.meta.dirname, '..');
const BASKETS = Number(process.env.BENCH_REPLICAS_BASKETS ?? 60);
const WORKERS = Number(process.env.BENCH_REPLICAS_WORKERS ?? 2);
const MEASURE_MS = 1000 * Number(process.env.BENCH_REPLICAS_SECONDS ?? 30);
const LATENCY_MS = Number(process.env.BENCH_REPLICAS_LATENCY_MS ?? 200);
/** After every replica has finished a job: long enough for each to have replayed the baskets it takes. */
const WARM_MS = 10_000;

interface Replica {
  child: ChildProcess;
  exited: Promise<unknown>;
  /** Tick lines printed so far, with when they arrived: [time, bars evaluated]. */
  ticks: [number, number][];
  err: string;
}

function spawnReplica(env: Record<string, string>): Replica {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli-run.ts'), 'start', '--no-console', '--schedule', '* * * * * *'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const r: Replica = { child, exited: new Promise((res) => child.on('exit', res)), ticks: [], err: '' };
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const m = /\(\+(\d+) bars\)/.exec(line);
      if (m) r.ticks.push([Date.now(), Number(m[1])]);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (r.err = (r.err + d.toString()).slice(-4000)));
  return r;
}

async function until(what: string, cond: () => boolean, timeoutMs: number, replicas: Replica[]): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !cond(); ) {
    if (Date.now() > deadline) throw new Error(`bench replicas: timed out waiting for ${what}\n${replicas.map((r) => r.err).join('\n---\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface RunResult {
  replicas: number;
  barsPerMinute: number;
  jobsPerMinute: number;
  waiting: number;
  cpu: number;
}

export async function benchReplicas(): Promise<void> {
  console.log(`\n## Replicas on PostgreSQL: ${BASKETS} baskets of 1 s bars (3 markets each), the fake exchange answering ${LATENCY_MS} ms late, ${WORKERS} jobs at once a replica`);
  const started = await startPostgres();
  if (!started.server) {
    console.log(`skipped: ${started.reason}`);
    return;
  }
  const server = started.server;
  const dir = await mkdtemp(join(tmpdir(), 'corrwatch-bench-replicas-'));
  const markets: FakeMarket[] = [];
  for (let b = 0; b < BASKETS; b++) for (const s of ['A', 'B', 'C']) markets.push({ base: `R${b}${s}`, quote: 'USDT' });
  const exchange = await startFakeExchange({ markets, seed: 13, origin: Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000 });
  exchange.setBehavior('/api/v3/klines', { delayMs: LATENCY_MS });
  try {
    await writeFile(
      join(dir, 'config.yaml'),
      [
        'market:',
        '  source: ccxt:binance',
        `  baseUrl: ${JSON.stringify(exchange.baseUrl)}`,
        'store:',
        '  maxHistory: 60',
        'replicas:',
        `  workers: ${WORKERS}`,
        '  jobTimeout: 60s',
        '  pollEvery: 0.5s',
        'queries:',
        '  threads: 0',
        'baskets:',
        ...Array.from({ length: BASKETS }, (_, b) => `  b${b}: { symbols: [R${b}A, R${b}B, R${b}C], timeframe: 1s, window: 20, baseline: 40 }`),
        '',
      ].join('\n'),
    );
    const results: RunResult[] = [];
    for (const n of [1, 2, 3]) results.push(await run(n));
    const base = results[0].barsPerMinute;
    console.log('| replicas | basket-bars evaluated a minute | × 1 replica | jobs a minute | jobs waiting at the end | CPU of the replicas |');
    console.log('|---|---|---|---|---|---|');
    for (const r of results) {
      console.log(`| ${r.replicas} | ${r.barsPerMinute.toFixed(0)} | ${(r.barsPerMinute / base).toFixed(2)} | ${r.jobsPerMinute.toFixed(0)} | ${r.waiting} | ${r.cpu.toFixed(1)} s (${((100 * r.cpu) / (MEASURE_MS / 1000)).toFixed(0)}% of a core over the window) |`);
    }
  } finally {
    await exchange.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }

  async function run(n: number): Promise<RunResult> {
    const url = server.url(await server.createDatabase(`bench_replicas_${n}`));
    const config = loadConfig({ CORRWATCH_CONFIG: join(dir, 'config.yaml'), CORRWATCH_DATA_DIR: join(dir, 'seed') });
    const store = new PostgresStore({ url }, { migrate: true });
    await store.open(seedBaskets(config, Date.now()));
    await store.close();
    const replicas = Array.from({ length: n }, (_, i) =>
      spawnReplica({ CORRWATCH_CONFIG: join(dir, 'config.yaml'), CORRWATCH_DATA_DIR: join(dir, `r${n}-${i}`), CORRWATCH_STOP_GRACE: '1s', DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' }),
    );
    const db = new pg.Pool({ connectionString: url });
    try {
      await until('every replica to finish a job', () => replicas.every((r) => r.ticks.length > 0), 60_000, replicas);
      await new Promise((r) => setTimeout(r, WARM_MS));
      const from = Date.now();
      const cpu0 = replicas.map((r) => cpuSeconds(r.child.pid!));
      await new Promise((r) => setTimeout(r, MEASURE_MS));
      const to = Date.now();
      const cpu = replicas.reduce((s, r, i) => s + cpuSeconds(r.child.pid!) - cpu0[i], 0);
      const inWindow = replicas.flatMap((r) => r.ticks.filter(([t]) => t >= from && t < to));
      const waiting = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM pgboss.job WHERE name = 'corrwatch-basket-bar' AND state < 'active'`)).rows[0].n);
      const minutes = (to - from) / 60_000;
      return { replicas: n, barsPerMinute: inWindow.reduce((s, [, bars]) => s + bars, 0) / minutes, jobsPerMinute: inWindow.length / minutes, waiting, cpu };
    } finally {
      for (const r of replicas) r.child.kill('SIGTERM');
      await Promise.all(replicas.map((r) => r.exited));
      await db.end();
    }
  }
}

// Run alone: `node --import tsx bench/replicas.ts`.
if (import.meta.url === `file://${process.argv[1]}`) await benchReplicas();
