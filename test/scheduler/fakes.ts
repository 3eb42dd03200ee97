import { defaultEnterZ } from '../../src/regime/calibration.js';
import { alertReply } from '../../src/alerts/alert-reply.js';
import { consoleNotifier } from '../../src/alerts/console-notifier.js';
import type { AlertMessage, Notifier, NotifyResult } from '../../src/alerts/notifier.js';
import { loadConfig } from '../../src/config/load.js';
import { UserError } from '../../src/domain/errors.js';
import type { Platform } from '../../src/domain/invocation.js';
import type { MarketSource } from '../../src/domain/ports.js';
import type { Candle } from '../../src/domain/types.js';
import type { Logger } from '../../src/log.js';
import { Watcher } from '../../src/scheduler/watcher.js';
import type { Basket, Store } from '../../src/store/types.js';
import { generate, type Segment } from '../quality/generate.js';

export const HOUR = 3_600_000;
/** Bar 0 opens here (an exact multiple of the hour). */
export const T0 = Date.UTC(2024, 0, 1);
/** The watcher's clock one minute after bar k − 1 closed: bars 0 .. k − 1 are closed. */
export const nowAfter = (k: number) => T0 + k * HOUR + 60_000;
export const barTime = (k: number) => T0 + k * HOUR;
export const barOf = (t: number) => Math.round((t - T0) / HOUR);

export const config = loadConfig({});

/**
 * An in-memory market: hourly closes per symbol, generated from a one-factor model with known correlation
 * switches. Serves closed candles only (open + 1h ≤ until) up to `available` bars; a symbol can be told to throw;
 * `hold()` makes every fetch wait until `release()` (to hold a tick in flight).
 */
export class FakeMarket implements MarketSource {
  readonly id = 'fake:test';
  readonly venue = 'fake';
  readonly closes = new Map<string, Float64Array>();
  /** Bars 0 .. available − 1 exist (Infinity: all generated ones). */
  available = Infinity;
  readonly failures = new Map<string, Error>();
  /** A symbol whose price does not move over bars [from, to) (a stablecoin, a halted market): each closes at bar from's close. */
  readonly frozen = new Map<string, [number, number]>();
  /** A symbol whose feed stopped: its bars after this one are never served (the others' are). */
  readonly lastBar = new Map<string, number>();
  /** Bars never served, by any symbol (a hole in the exchange's history). */
  readonly holes = new Set<number>();
  fetches = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  /** Add symbols sharing one factor model: `segments` give the pairwise correlation from a bar on. */
  addGroup(symbols: string[], bars: number, segments: Segment[], seed: number): this {
    const rw = generate({ name: 'fake', assets: symbols.length, bars, segments, seed, df: 5 });
    symbols.forEach((s, i) => {
      const p = new Float64Array(bars + 1);
      p[0] = 100 * (i + 1);
      for (let k = 0; k < bars; k++) p[k + 1] = p[k] * Math.exp(rw.returns[i][k]);
      this.closes.set(s, p);
    });
    return this;
  }

  /** Resolves when a fetch is waiting at the gate `hold()` closed (a tick is then parked inside the market). */
  parked: Promise<void> = Promise.resolve();
  private onParked: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
    this.parked = new Promise((resolve) => (this.onParked = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  async fetchCandles(symbol: string, timeframe: string, since: number, until: number): Promise<Candle[]> {
    this.fetches++;
    if (timeframe !== '1h') throw new Error(`fake market serves 1h, asked ${timeframe}`);
    if (this.gate) {
      this.onParked?.();
      await this.gate;
    }
    const failure = this.failures.get(symbol);
    if (failure) throw failure;
    const p = this.closes.get(symbol);
    if (!p) throw new UserError('unknown_symbol', `${symbol} is not listed on fake`);
    const out: Candle[] = [];
    const end = Math.min(p.length, this.available, (this.lastBar.get(symbol) ?? Infinity) + 1);
    for (let k = Math.max(0, Math.ceil((since - T0) / HOUR)); k < end; k++) {
      const t = T0 + k * HOUR;
      if (t >= until || t + HOUR > until) break;
      if (this.holes.has(k)) continue;
      const frozen = this.frozen.get(symbol);
      out.push({ t, c: frozen && k >= frozen[0] && k < frozen[1] ? p[frozen[0]] : p[k] });
    }
    return out;
  }

  async listSymbols(): Promise<string[]> {
    return [...this.closes.keys()];
  }

  async resolveSymbol(symbol: string): Promise<string> {
    if (!this.closes.has(symbol)) throw new UserError('unknown_symbol', `${symbol} is not listed on fake`);
    return symbol;
  }
}

export interface Sent {
  target: string;
  id: string;
  kind: string;
  threadRef: string | undefined;
  title: string;
  messageRef: string | undefined;
}

/**
 * A notifier that records every message it accepts. `failures` holds, per channel, results to return instead of
 * delivering (consumed one per call; `'throw'` throws).
 */
export class CapturingNotifier implements Notifier {
  readonly sent: Sent[] = [];
  readonly attempts: { target: string; id: string }[] = [];
  readonly failures = new Map<string, (NotifyResult | 'throw')[]>();
  private n = 0;

  constructor(
    readonly platform: Platform,
    readonly implicitTargets?: string[],
  ) {}

  async send(channelId: string, { record, reply, threadRef }: AlertMessage): Promise<NotifyResult> {
    const target = `${this.platform}:${channelId}`;
    this.attempts.push({ target, id: record.id });
    const queued = this.failures.get(channelId);
    const failure = queued?.shift();
    if (failure === 'throw') throw new Error('socket hang up');
    if (failure) return failure;
    const messageRef = `${this.platform}/${channelId}/${++this.n}`;
    this.sent.push({ target, id: record.id, kind: record.kind, threadRef, title: reply.title, messageRef });
    return { ok: true, messageRef };
  }
}

/** A logger that keeps every line (level, message, context). */
export function capturingLogger(): Logger & { lines: { level: string; msg: string; ctx?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; ctx?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, ctx?: Record<string, unknown>) => void lines.push({ level, msg, ctx });
  const log: Logger & { lines: { level: string; msg: string; ctx?: Record<string, unknown> }[] } = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

export function basket(name: string, symbols: string[], over: Partial<Basket> = {}): Basket {
  return {
    name,
    symbols,
    timeframe: '1h',
    window: '48',
    baseline: '500',
    thresholds: { ...config.detector.thresholds, enterZ: defaultEnterZ('1h', config.detector.falseAlarmYears) },
    createdAt: T0,
    updatedAt: T0,
    createdBy: 'config',
    ...over,
  };
}

/** Everything a watcher test needs: store, market, notifiers (Slack and Discord capturing, console real), clock. */
export class Harness {
  readonly slack = new CapturingNotifier('slack');
  readonly discord = new CapturingNotifier('discord');
  readonly consoleOut: string[] = [];
  readonly log = capturingLogger();
  readonly console = consoleNotifier((t) => void this.consoleOut.push(t), this.log);
  now = 0;
  watcher: Watcher;

  constructor(
    public store: Store,
    readonly market: FakeMarket,
  ) {
    this.watcher = this.newWatcher();
  }

  newWatcher(): Watcher {
    return new Watcher({
      store: this.store,
      market: this.market,
      config,
      clock: { now: () => this.now },
      log: this.log,
      notifiers: [this.slack, this.discord, this.console],
      renderAlert: async (record) => alertReply(record),
    });
  }

  /** Tick at nowAfter(k) (bars up to k − 1 closed); fails the test if the tick was refused. */
  async tickAt(k: number) {
    this.now = nowAfter(k);
    const r = await this.watcher.tick(this.now);
    if (!r) throw new Error(`tick at bar ${k} was refused`);
    return r;
  }
}

export async function subscribe(store: Store, basketName: string, platform: Platform, channelId: string): Promise<void> {
  await store.addSubscription({ basket: basketName, platform, channelId, createdAt: T0, createdBy: `${platform}:U1` });
}
