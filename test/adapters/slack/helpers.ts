import { createHmac } from 'node:crypto';
import type { OpsEndpoints } from '../../../src/ops/routes.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type AppRuntime } from '../../../src/app/runtime.js';
import { chartRenderer } from '../../../src/chart/index.js';
import { parseConfig } from '../../../src/config/load.js';
import type { MarketSource } from '../../../src/domain/ports.js';
import { createLogger, type Logger } from '../../../src/log.js';
import { seedBaskets } from '../../../src/config/baskets.js';
import { MemoryStore } from '../../../src/store/memory-store.js';

export const SIGNING_SECRET = 'fake-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-fake-token';
export const ADMIN = 'UADMIN01';
export const USER = 'UUSER001';

/** `v0=HMAC_SHA256(secret, "v0:ts:body")`, as Slack signs requests. */
export function sign(body: string, ts: number, secret = SIGNING_SECRET): string {
  return 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');
}

export interface PostResult {
  status: number;
  text: string;
  /** Milliseconds from sending to the full answer. */
  ms: number;
}

/** POST a form body to the adapter, signed unless told otherwise. */
export async function postSigned(
  url: string,
  body: string,
  opts: { ts?: number; secret?: string; signature?: string; omit?: ('signature' | 'timestamp')[] } = {},
): Promise<PostResult> {
  const ts = opts.ts ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (!opts.omit?.includes('timestamp')) headers['x-slack-request-timestamp'] = String(ts);
  if (!opts.omit?.includes('signature')) headers['x-slack-signature'] = opts.signature ?? sign(body, ts, opts.secret);
  const started = Date.now();
  const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { status: res.status, text, ms: Date.now() - started };
}

let counter = 0;

type CommandOpts = { user?: string; userName?: string; channel?: string; responseUrl: string };

/** A slash command payload (form-encoded) as Slack POSTs it in HTTP mode. */
export function commandBody(text: string, opts: CommandOpts): string {
  return new URLSearchParams(commandPayload(text, opts)).toString();
}

/** The fields of a slash command payload (what Socket Mode sends as JSON). */
export function commandPayload(text: string, opts: CommandOpts): Record<string, string> {
  return {
    token: 'deprecated-verification-token',
    team_id: 'T0FAKE',
    team_domain: 'fake',
    channel_id: opts.channel ?? 'C0GENERAL',
    channel_name: 'general',
    user_id: opts.user ?? USER,
    user_name: opts.userName ?? 'alice',
    command: '/corr',
    text,
    api_app_id: 'A0CORR',
    is_enterprise_install: 'false',
    response_url: opts.responseUrl,
    trigger_id: `trigger-${++counter}`,
  };
}

/** A block_actions payload for a button on a message (form field `payload`). */
export function clickBody(opts: {
  actionId: string;
  user: string;
  userName?: string;
  channel: string;
  message: { ts: string; text?: string; blocks?: unknown[] };
  responseUrl: string;
}): string {
  const payload = {
    type: 'block_actions',
    user: { id: opts.user, username: opts.userName ?? opts.user.toLowerCase(), name: opts.userName ?? opts.user.toLowerCase(), team_id: 'T0FAKE' },
    api_app_id: 'A0CORR',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: opts.message.ts, channel_id: opts.channel, is_ephemeral: false },
    trigger_id: `trigger-${++counter}`,
    team: { id: 'T0FAKE', domain: 'fake' },
    is_enterprise_install: false,
    channel: { id: opts.channel, name: 'alerts' },
    message: { type: 'message', user: 'U0BOT', bot_id: 'B0BOT', ts: opts.message.ts, text: opts.message.text, blocks: opts.message.blocks },
    response_url: opts.responseUrl,
    actions: [{ action_id: opts.actionId, block_id: 'b1', text: { type: 'plain_text', text: 'x', emoji: true }, value: opts.actionId, type: 'button', action_ts: `${Date.now() / 1000}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A logger that keeps every line (for checking what was logged, and that no secret was). */
export function memoryLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger('debug', (l) => lines.push(l)), lines };
}

export const HOUR = 3_600_000;
export const T0 = Date.UTC(2024, 0, 1);

/** mulberry32 + Box-Muller: seeded standard normals. */
export function normals(seed: number): () => number {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/**
 * Hourly closes of `symbols` (one-factor model: pairwise correlation of log returns `rho(i)` at bar i), written
 * as a wide CSV. Returns the rows so a test can extend the file later.
 */
export class PriceFile {
  readonly rows: string[] = [];
  private readonly logs: number[];
  private readonly z: () => number;
  constructor(
    readonly path: string,
    readonly symbols: string[],
    seed: number,
  ) {
    this.logs = symbols.map((_, i) => Math.log(100 + 10 * i));
    this.z = normals(seed);
  }

  get bars(): number {
    return this.rows.length;
  }

  /** Append n bars with correlation rho, then rewrite the file. */
  append(n: number, rho: number, vol = 0.01): this {
    for (let k = 0; k < n; k++) {
      const i = this.rows.length;
      const f = this.z();
      if (i > 0) for (let s = 0; s < this.logs.length; s++) this.logs[s] += vol * (Math.sqrt(rho) * f + Math.sqrt(1 - rho) * this.z());
      this.rows.push([new Date(T0 + i * HOUR).toISOString(), ...this.logs.map((x) => Math.exp(x).toFixed(8))].join(','));
    }
    writeFileSync(this.path, `timestamp,${this.symbols.join(',')}\n${this.rows.join('\n')}\n`);
    return this;
  }

  /** Open time of the last bar. */
  get lastBarAt(): number {
    return T0 + (this.rows.length - 1) * HOUR;
  }
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'corrwatch-slack-'));
}

export interface TestRuntime {
  runtime: AppRuntime;
  store: MemoryStore;
  lines: string[];
  clock: { now: () => number; set(t: number): void };
}

/** A runtime like `corrwatch start` builds, on a MemoryStore, with the real chart renderer. */
export async function makeRuntime(market: MarketSource, opts: { now: number; baskets?: Record<string, unknown>; lastTickAt?: () => string | undefined; ops?: OpsEndpoints }): Promise<TestRuntime> {
  const config = parseConfig({
    market: { source: market.id.startsWith('csv:') || market.id.startsWith('sim:') || market.id.startsWith('ccxt:') ? market.id : 'sim:1' },
    admins: { slack: [ADMIN] },
    baskets: opts.baskets ?? {},
    log: { level: 'debug' },
  });
  let now = opts.now;
  const clock = { now: () => now, set: (t: number) => void (now = t) };
  const store = new MemoryStore();
  await store.open(seedBaskets(config, now));
  const { log, lines } = memoryLogger();
  const runtime = createRuntime({ config, log, clock, store, market, charts: chartRenderer, version: '9.9.9-test', lastTickAt: opts.lastTickAt, ops: opts.ops });
  return { runtime, store, lines, clock };
}

/** The Slack env for an adapter talking to the fake. */
export function slackEnv(apiBase: string, extra: Record<string, string> = {}): Record<string, string> {
  return { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: apiBase, ...extra };
}

/** Every mrkdwn/plain text in a list of blocks, joined (for "the answer says ..." checks). */
export function blocksText(blocks: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string') out.push(o.text);
      for (const [k, x] of Object.entries(o)) if (k !== 'text' || typeof x !== 'string') walk(x);
    }
  };
  walk(blocks);
  return out.join('\n');
}


export { plainPearson as pearson, PNG_SIGNATURE } from '../../helpers/reference-stats.js';
