// Issue 11 load: 200 concurrent `/corr` slash commands against `corrwatch start` in its own process (the real Slack
// adapter: Bolt's HTTP receiver and signed requests; the real chart renderer; the real ccxt source against the fake
// exchange on 127.0.0.1, behind the on-disk candle cache). Each command comes from its own user (the per-user limit
// does not apply) and has its own response_url on the fake Slack; the answer time is from sending the POST to the
// fake receiving that response_url POST. Chart uploads (files.uploadV2's three calls, paced per channel) come after
// the answer and are reported apart, as is /healthz's answer time during the burst. Baseline in the same run: one
// /corr alone. Target (issue 11 §2): p95 answer under 5 s.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeExchange } from '../test/fakes/fake-exchange.js';
import { startFakeSlack } from '../test/fakes/fake-slack.js';
import { BOT_TOKEN, commandBody, postSigned, slackEnv } from '../test/adapters/slack/helpers.js';
import { cpuSeconds, peakRssMb } from './proc.js';

const ROOT = join(import.meta.dirname, '..');
const COMMANDS = Number(process.env.BENCH_CHAT_COMMANDS ?? 200);
const HOUR = 3_600_000;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

export async function benchChatLoad(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'corrwatch-bench-chat-'));
  const now = Math.floor(Date.now() / HOUR) * HOUR;
  const exchange = await startFakeExchange({ seed: 11, origin: now - 2000 * HOUR });
  const slack = await startFakeSlack({ token: BOT_TOKEN });
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `dataDir: ${JSON.stringify(join(dir, 'data'))}`,
      'market:',
      '  source: ccxt:binance',
      `  baseUrl: ${JSON.stringify(exchange.baseUrl)}`,
      ...(process.env.BENCH_CHAT_THREADS ? ['queries:', `  threads: ${process.env.BENCH_CHAT_THREADS}`] : []),
      'admins:',
      '  slack: [UADMIN01]',
      'baskets:',
      '  majors:',
      '    symbols: [BTC, ETH, SOL]',
      '    timeframe: 1h',
      '',
    ].join('\n'),
  );
  // `corrwatch start` in its own process, as deployed: the load generator and the fakes are in this one.
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli-run.ts'), 'start', '--no-console', '--schedule', '0 0 1 1 *'], {
    cwd: ROOT,
    env: { ...process.env, ...slackEnv(slack.baseUrl), CORRWATCH_CONFIG: config, PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr.on('data', (d: Buffer) => (logs += d.toString()));
  try {
    let port: number | undefined;
    for (const deadline = Date.now() + 60_000; port === undefined; ) {
      const m = /"Slack adapter listening".*?"port":(\d+)|"port":(\d+).*?"Slack adapter listening"/.exec(logs);
      if (m) port = Number(m[1] ?? m[2]);
      else if (Date.now() > deadline || child.exitCode !== null) throw new Error(`corrwatch start did not come up:\n${logs}`);
      else await new Promise((r) => setTimeout(r, 50));
    }
    const url = `http://127.0.0.1:${port}/slack/events`;
    let seq = 0;
    // One watcher over the fake's calls for every waiting command (200 pollers scanning every call would load this
    // process, which shares the machine's cores with corrwatch).
    const waiting = new Map<string, (at: number) => void>();
    let seen = 0;
    const watch = setInterval(() => {
      for (; seen < slack.calls.length; seen++) {
        const c = slack.calls[seen];
        if (c.method === 'response_url' && c.responseId) waiting.get(c.responseId)?.(c.at);
      }
    }, 5);

    /** Send one /corr and resolve with the ms until its response_url answer arrived. */
    const one = async (user: string, text = 'BTC ETH'): Promise<{ ack: number; answer: number }> => {
      const id = `load-${++seq}`;
      const started = Date.now();
      const answered = new Promise<number>((r) => waiting.set(id, r));
      const res = await postSigned(url, commandBody(text, { user, channel: `C${seq % 20}`, responseUrl: slack.responseUrl(id) }));
      if (res.status !== 200) throw new Error(`ack ${res.status}`);
      const at = await answered;
      waiting.delete(id);
      return { ack: res.ms, answer: at - started };
    };

    // Warm up (markets loaded, candles cached, fonts registered), then the baseline: one command alone.
    await one('UWARM');
    const alone: number[] = [];
    for (let i = 0; i < 5; i++) alone.push((await one(`UALONE${i}`)).answer);
    const base = pct(alone, 50);

    /** Send `texts` at once (each from its own user) and report answers, acks, CPU, uploads and /healthz. */
    const burst = async (label: string, texts: string[]): Promise<void> => {
      const healthTimes: number[] = [];
      let stopHealth = false;
      const healthLoop = (async () => {
        while (!stopHealth) {
          const t = Date.now();
          const r = await fetch(`http://127.0.0.1:${port}/healthz`);
          await r.text();
          healthTimes.push(Date.now() - t);
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      const uploadsBefore = slack.callsTo('files.completeUploadExternal').length;
      const cpu0 = { corrwatch: cpuSeconds(child.pid!), bench: cpuSeconds('self') };
      const t0 = Date.now();
      const results = await Promise.all(texts.map((text, i) => one(`U${label.slice(0, 3).toUpperCase()}${i}`, text)));
      const took = Date.now() - t0;
      const cpu = { corrwatch: cpuSeconds(child.pid!) - cpu0.corrwatch, bench: cpuSeconds('self') - cpu0.bench };
      // Chart uploads follow the answers; wait for all of them (reported apart from the answer times).
      await slack.waitFor('every chart upload', () => slack.callsTo('files.completeUploadExternal').length - uploadsBefore >= texts.length || undefined, 600_000);
      const uploadsDone = Date.now() - t0;
      stopHealth = true;
      await healthLoop;
      const answers = results.map((r) => r.answer);
      const acks = results.map((r) => r.ack);
      console.log(`${label}: ${new Set(texts).size} distinct of ${texts.length}`);
      console.log(`  answers: p50 ${fmtMs(pct(answers, 50))} (${(pct(answers, 50) / base).toFixed(1)}× alone), p95 ${fmtMs(pct(answers, 95))} (${(pct(answers, 95) / base).toFixed(1)}×), max ${fmtMs(Math.max(...answers))}; all answered in ${fmtMs(took)}; target p95 < 5 s`);
      console.log(`  acks: p50 ${fmtMs(pct(acks, 50))}, p95 ${fmtMs(pct(acks, 95))}, max ${fmtMs(Math.max(...acks))} (Slack's deadline: 3 s); /healthz: p50 ${fmtMs(pct(healthTimes, 50))}, max ${fmtMs(Math.max(...healthTimes))}`);
      console.log(`  CPU: corrwatch ${cpu.corrwatch.toFixed(2)} s (${((1000 * cpu.corrwatch) / texts.length).toFixed(0)} ms a command), this process (fakes and load) ${cpu.bench.toFixed(2)} s`);
      console.log(`  chart uploads (paced per channel, reported apart): all done ${fmtMs(uploadsDone)} after the burst began`);
    };

    console.log(`\n## Chat load: ${COMMANDS} concurrent /corr against \`corrwatch start\` (Slack HTTP, ccxt on the fake exchange, charts on)`);
    console.log(`one /corr alone (median of 5): ${fmtMs(base)}`);
    await burst('the same /corr BTC ETH', Array.from({ length: COMMANDS }, () => 'BTC ETH'));
    // All different: every pair of the fake's 7 assets with 10 windows (210 queries), the first COMMANDS of them in
    // a seeded shuffle: no two alike, so none shares another's answer (the worst case for the pool).
    const assets = ['BTC', 'ETH', 'SOL', 'BNB', 'XRP', 'ADA', 'DOGE'];
    const windows = [24, 36, 48, 60, 72, 96, 120, 168, 240, 336];
    const all: string[] = [];
    for (let i = 0; i < 7; i++) for (let j = i + 1; j < 7; j++) for (const w of windows) all.push(`${assets[i]} ${assets[j]} ${w}`);
    let x = 12345;
    const rand = (n: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0), x % n);
    for (let i = all.length - 1; i > 0; i--) {
      const j = rand(i + 1);
      [all[i], all[j]] = [all[j], all[i]];
    }
    const varied = all.slice(0, COMMANDS);
    await burst('all different /corr (pairs and windows)', varied);
    clearInterval(watch);
    const rss = peakRssMb(child.pid!);
    console.log(`corrwatch peak RSS (VmHWM): ${rss === undefined ? 'n/a' : `${rss.toFixed(0)} MB`}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    await slack.close();
    await exchange.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchChatLoad();
