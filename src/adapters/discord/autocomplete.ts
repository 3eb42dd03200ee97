import type { ChatRuntime } from '../../domain/chat-runtime.js';
import { clampText } from '../../render/clamp.js';
import { DISCORD_LIMITS as L } from './limits.js';

export interface Choice {
  name: string;
  value: string;
}

/**
 * Autocomplete choices: candidates starting with what was typed (case-insensitive; an exact match first, then
 * alphabetical), at most 25. For a list option (`symbols: BTC ETH SO`) the last word is completed and the words
 * before it are kept in the value; candidates already listed are not offered again.
 */
export function matchChoices(candidates: readonly string[], typed: string, list = false): Choice[] {
  let head = '';
  let prefix = typed.trim();
  if (list) {
    const m = /^(.*[\s,])?([^\s,]*)$/s.exec(typed.trimStart());
    head = m?.[1] ?? '';
    prefix = m?.[2] ?? '';
  }
  const p = prefix.toLowerCase();
  const taken = new Set(head.split(/[\s,]+/).filter(Boolean).map((w) => w.toLowerCase()));
  const hits = [...new Set(candidates)]
    .filter((c) => c.toLowerCase().startsWith(p) && !taken.has(c.toLowerCase()))
    .sort((a, b) => Number(b.toLowerCase() === p) - Number(a.toLowerCase() === p) || a.localeCompare(b));
  const out: Choice[] = [];
  for (const c of hits) {
    const value = head + c;
    if (value.length > L.choiceValue) continue;
    out.push({ name: clampText(value, L.choiceName), value });
    if (out.length === L.choices) break;
  }
  return out;
}

export interface AutocompleteCacheOptions {
  /** How often the market's symbol list is refreshed (default 15 min). */
  symbolRefreshMs?: number;
  /** How often basket names are re-read from the store (default 1 min; also after every basket command). */
  basketRefreshMs?: number;
}

/**
 * Symbols and basket names for autocomplete, kept in memory and refreshed in the background. Discord wants an
 * answer within 3 s and autocomplete cannot be deferred, so an answer never waits on the exchange: it is made
 * from what the cache holds (the last good list when a refresh fails).
 */
export class AutocompleteCache {
  private symbols: string[] = [];
  private baskets: string[] = [];
  private symbolsInFlight: Promise<void> | undefined;
  private basketsInFlight: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly runtime: ChatRuntime,
    private readonly opts: AutocompleteCacheOptions = {},
  ) {}

  /** Start the periodic refreshes; the promise settles when the first ones have (callers bound the wait). */
  start(): Promise<void> {
    const every = (ms: number, f: () => Promise<void>) => {
      // Fire-and-forget on a timer: each refresh logs its own failure and keeps the last list (it never rejects).
      const t = setInterval(() => void f(), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.symbolRefreshMs ?? 15 * 60_000, () => this.refreshSymbols());
    every(this.opts.basketRefreshMs ?? 60_000, () => this.refreshBaskets());
    return Promise.all([this.refreshSymbols(), this.refreshBaskets()]).then(() => undefined);
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  refreshSymbols(): Promise<void> {
    this.symbolsInFlight ??= this.runtime.market
      .listSymbols()
      .then((s) => {
        this.symbols = [...s];
      })
      .catch((e: unknown) => this.runtime.log.warn('could not list symbols for autocomplete; keeping the last list', { error: (e as Error).message }))
      .finally(() => {
        this.symbolsInFlight = undefined;
      });
    return this.symbolsInFlight;
  }

  refreshBaskets(): Promise<void> {
    this.basketsInFlight ??= this.runtime.store
      .listBaskets()
      .then((b) => {
        this.baskets = b.map((x) => x.name);
      })
      .catch((e: unknown) => this.runtime.log.warn('could not list baskets for autocomplete', { error: (e as Error).message }))
      .finally(() => {
        this.basketsInFlight = undefined;
      });
    return this.basketsInFlight;
  }

  choices(kind: 'symbol' | 'basket', typed: string, list: boolean): Choice[] {
    return matchChoices(kind === 'symbol' ? this.symbols : this.baskets, typed, list);
  }
}
