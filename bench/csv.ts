/**
 * CSV queries: the time and memory of answering "the candles of k symbols of this file", new source against the
 * parser it replaced (bench/csv-baseline.ts: Date.parse on every row, every price of every symbol), same run.
 *
 * Files, generated in a temp dir: long `timestamp,symbol,close` with 10 symbols, 120,000 and 1,000,000 rows; wide
 * `timestamp,S0,...,S49`, 120,000 rows (6 million cells). ISO timestamps, hourly bars.
 * Each measurement runs in a fresh process (cold, as a CLI query is, and so that its peak RSS is its own):
 * the time from reading the file to holding the candles, the peak RSS (resourceUsage().maxRSS) above that of an
 * idle process, and what stays on the heap after a GC while the result is held. Median of RUNS runs.
 * The new source is timed asking for 1 symbol, 2, and all of them (cost grows with what is asked for), and
 * for the calendars of 2 symbols (timestamps only, no price parsed).
 * Run alone with `npx tsx bench/csv.ts`; bench/index.ts calls benchCsv().
 */
import { fork } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createCsvSource } from '../src/market/csv-source.js';
import { baselineParseCsv } from './csv-baseline.js';

const RUNS = 3;
const HOUR = 3_600_000;
const START = Date.UTC(2015, 0, 1);
const FAR = Date.UTC(2200, 0, 1);

interface FileSpec {
  label: string;
  layout: 'long' | 'wide';
  symbols: number;
  bars: number;
}

const FILES: FileSpec[] = [
  { label: 'long, 10 symbols x 12,000 hourly bars = 120,000 rows', layout: 'long', symbols: 10, bars: 12_000 },
  { label: 'long, 10 symbols x 100,000 hourly bars = 1,000,000 rows', layout: 'long', symbols: 10, bars: 100_000 },
  { label: 'wide, 50 symbols x 120,000 hourly bars = 120,000 rows', layout: 'wide', symbols: 50, bars: 120_000 },
];

/** What a child process measures: one way of answering one query. */
interface Job {
  path: string;
  how: 'idle' | 'baseline' | 'new' | 'calendar';
  symbols: string[];
}

interface Measured {
  ms: number;
  peakMb: number;
  retainedMb: number;
  /** Sum of the closes returned (or bars counted), to check both parsers answered the same. */
  check: number;
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `S${i}`);

/** Deterministic prices with 2 to 6 decimals, as exports write them. */
function price(sym: number, bar: number): string {
  return (100 + sym + 10 * Math.sin(bar / 50 + sym)).toFixed(2 + ((bar + sym) % 5));
}

async function writeFileSpec(dir: string, spec: FileSpec): Promise<string> {
  const path = join(dir, `${spec.layout}-${spec.symbols}x${spec.bars}.csv`);
  const out = createWriteStream(path);
  const syms = names(spec.symbols);
  out.write(spec.layout === 'long' ? 'timestamp,symbol,close\n' : `timestamp,${syms.join(',')}\n`);
  let chunk = '';
  for (let b = 0; b < spec.bars; b++) {
    const t = new Date(START + b * HOUR).toISOString().replace('.000Z', 'Z');
    if (spec.layout === 'long') for (let s = 0; s < spec.symbols; s++) chunk += `${t},${syms[s]},${price(s, b)}\n`;
    else chunk += `${t},${syms.map((_, s) => price(s, b)).join(',')}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((r) => out.once('finish', () => r()));
  return path;
}

/** In the child: answer the query, then report time, peak RSS and retained heap. */
async function runJob(job: Job): Promise<Measured> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  let held: unknown;
  let check = 0;
  const t0 = performance.now();
  if (job.how === 'baseline') {
    await stat(job.path);
    const parsed = baselineParseCsv(await readFile(job.path, 'utf8'), basename(job.path));
    const result = job.symbols.map((s) => parsed.series.get(s)!.filter((c) => c.t >= 0 && c.t < FAR).map((c) => ({ ...c })));
    for (const r of result) for (const c of r) check += c.c;
    held = { parsed, result }; // the old source kept every symbol's candles in its cache
  } else if (job.how === 'new') {
    const src = createCsvSource(job.path);
    const result = [];
    for (const s of job.symbols) result.push(await src.fetchCandles(s, '1h', 0, FAR));
    for (const r of result) for (const c of r) check += c.c;
    held = { src, result };
  } else if (job.how === 'calendar') {
    const src = createCsvSource(job.path);
    for (const s of job.symbols) check += (await src.calendar(s)).length;
    held = src;
  }
  const ms = performance.now() - t0;
  gc();
  const mem = process.memoryUsage();
  const retainedMb = (mem.heapUsed + mem.external) / 2 ** 20;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  if (held === undefined && job.how !== 'idle') throw new Error('nothing was measured');
  return { ms, peakMb, retainedMb, check };
}

function inChild(job: Job): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--csv-job', JSON.stringify(job)], { execArgv: process.execArgv });
    child.once('message', (m) => resolve(m as Measured));
    child.once('exit', (code) => code !== 0 && reject(new Error(`bench child exited with ${code}`)));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function measure(job: Job): Promise<Measured> {
  const runs: Measured[] = [];
  for (let r = 0; r < RUNS; r++) runs.push(await inChild(job));
  return {
    ms: median(runs.map((m) => m.ms)),
    peakMb: median(runs.map((m) => m.peakMb)),
    retainedMb: median(runs.map((m) => m.retainedMb)),
    check: runs[0].check,
  };
}

export async function benchCsv(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'corrwatch-bench-csv-'));
  try {
    const idle = await measure({ path: '', how: 'idle', symbols: [] });
    console.log(`\nCSV queries (median of ${RUNS} runs, each in a fresh process; memory above an idle process: ` +
      `peak RSS ${idle.peakMb.toFixed(0)} MB, heap ${idle.retainedMb.toFixed(0)} MB)`);
    for (const spec of FILES) {
      const path = await writeFileSpec(dir, spec);
      const size = (await stat(path)).size / 2 ** 20;
      const syms = names(spec.symbols);
      const two = [syms[3], syms[spec.symbols - 2]];
      const base = await measure({ path, how: 'baseline', symbols: two });
      console.log(`  ${spec.label} (${size.toFixed(0)} MB)`);
      console.log('                                      time       peak RSS      retained');
      const line = (what: string, m: Measured, ratios: boolean) => {
        const peak = m.peakMb - idle.peakMb;
        const kept = m.retainedMb - idle.retainedMb;
        const r = ratios
          ? `   ${(base.ms / m.ms).toFixed(1)}x faster, ${(peak / (base.peakMb - idle.peakMb)).toFixed(2)}x the peak, ${(kept / (base.retainedMb - idle.retainedMb)).toFixed(2)}x retained`
          : '';
        console.log(`    ${what.padEnd(32)} ${m.ms.toFixed(0).padStart(6)} ms  ${peak.toFixed(0).padStart(6)} MB  ${kept.toFixed(0).padStart(6)} MB${r}`);
      };
      line('baseline, 2 symbols', base, false);
      for (const [what, symbols] of [['new, 1 symbol', [two[0]]], ['new, 2 symbols', two], [`new, all ${spec.symbols} symbols`, syms]] as const) {
        const m = await measure({ path, how: 'new', symbols: [...symbols] });
        if (symbols === two && Math.abs(m.check - base.check) > 1e-6 * Math.abs(base.check)) {
          throw new Error(`new source and baseline disagree on ${spec.label}: ${m.check} vs ${base.check}`);
        }
        line(what, m, true);
      }
      line('new, calendar of 2 symbols', await measure({ path, how: 'calendar', symbols: two }), true);
      await rm(path);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const jobArg = process.argv.indexOf('--csv-job');
if (jobArg !== -1) {
  const job = JSON.parse(process.argv[jobArg + 1]) as Job;
  process.send!(await runJob(job));
  process.disconnect();
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchCsv();
