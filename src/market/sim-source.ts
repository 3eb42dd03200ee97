/**
 * A seeded simulator of correlated crypto-like assets, for demos and tests: a one-factor model whose loading
 * switches with a regime.
 *
 *   r_i,n = σ_n · (β_n · f_n + sqrt(1 − β_n²) · e_i,n),   f_n, e_i,n ~ N(0, 1) independent,
 *
 * so the pairwise correlation of log returns within a regime is β² (β = sqrt(ρ_target)): about 0.2 when calm,
 * 0.8 when stressed, and σ is higher when stressed (volatility and correlation rise together, as in real sell-offs).
 *
 * Determinism: everything is generated from a fixed origin (2020-01-01 by default) per (seed, timeframe), in chunks
 * of bars whose random numbers are seeded by (seed, stream, timeframe, chunk). The factor is one stream, each
 * symbol's idiosyncratic shocks another: the candle for (seed, symbol, timeframe, bar time) never depends on the
 * range requested or on which other symbols are asked for. Timeframes are independent simulations (a 1d series
 * is not the aggregate of the 1h one).
 *
 * Regimes: alternating calm/stressed segments of uniformly random lengths in bars (default 100..400), the first
 * one random; `simRegimeSchedule`/`simRegimeAt` expose the true switches. Only closed bars up to the clock exist.
 * Bars are 1m or longer (SIM_MIN_TIMEFRAME_MS): each price sums every return since the origin.
 */
import { UserError } from '../domain/errors.js';
import { systemClock, type Clock, type MarketSource } from '../domain/ports.js';
import type { Candle } from '../domain/types.js';
import { timeframeMs } from '../domain/timeframe.js';
import { ASSET_PATTERN } from '../domain/patterns.js';
import { hash32, mulberry32 } from '../domain/random.js';
import { throwIfAborted } from './abort.js';

export type SimRegime = 'calm' | 'stressed';

export interface SimOptions {
  clock?: Clock;
  /** First bar (rounded up to the timeframe); default 2020-01-01T00:00:00Z. */
  origin?: number;
  /** Target pairwise correlation of returns in each regime; defaults 0.2 and 0.8. */
  calmRho?: number;
  stressedRho?: number;
  /** Volatility of log returns per day in the calm regime (scaled by sqrt(bar/day)); default 0.03. */
  dailyVol?: number;
  /** Stressed volatility = calm volatility times this; default 2. */
  stressedVolMultiplier?: number;
  /** Segment lengths in bars, uniform in [min, max]; defaults 100 and 400. */
  minSegmentBars?: number;
  maxSegmentBars?: number;
  /** Calm segments are this many times longer than stressed ones (default 4; 1 = the same lengths). */
  calmLengthFactor?: number;
  /** What listSymbols returns; any upper-case alphanumeric name can be fetched. */
  universe?: string[];
}

export interface SimSegment {
  regime: SimRegime;
  /** Open time of the first bar of the segment. */
  start: number;
  /** Open time of the first bar after it (exclusive). */
  end: number;
  /** Bar indices from the first bar of the simulation: [startIndex, endIndex). */
  startIndex: number;
  endIndex: number;
}

export const SIM_DEFAULT_UNIVERSE = ['BTC', 'ETH', 'SOL', 'BNB', 'XRP', 'ADA', 'DOGE', 'AVAX', 'DOT', 'LINK'];
export const SIM_DEFAULT_ORIGIN = Date.UTC(2020, 0, 1);

const CHUNK = 1024;
/** Full chunks kept per symbol; chunk start prices are always kept. */
const MAX_CHUNKS = 256;


/** n standard normals (Box–Muller) from a seeded stream. */
function normals(seed: number, n: number): Float64Array {
  const rand = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(rand(), 1e-300);
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

interface Params {
  origin: number;
  calmBeta: number;
  stressedBeta: number;
  calmVol: number;
  stressedVol: number;
  minSeg: number;
  maxSeg: number;
  calmLengthFactor: number;
}

function params(opts: SimOptions, tfMs: number): Params {
  const calmRho = opts.calmRho ?? 0.2;
  const stressedRho = opts.stressedRho ?? 0.8;
  for (const [k, v] of [['calmRho', calmRho], ['stressedRho', stressedRho]] as const) {
    if (!(v >= 0 && v < 1)) throw new UserError('bad_value', `simulator: ${k} must be in [0, 1), got ${v}`);
  }
  const minSeg = opts.minSegmentBars ?? 100;
  const maxSeg = opts.maxSegmentBars ?? 400;
  if (!(Number.isInteger(minSeg) && Number.isInteger(maxSeg) && minSeg >= 1 && maxSeg >= minSeg)) {
    throw new UserError('bad_value', `simulator: segment lengths must be whole bars with 1 <= min <= max, got ${minSeg}..${maxSeg}`);
  }
  const calmVol = (opts.dailyVol ?? 0.03) * Math.sqrt(tfMs / 86_400_000);
  return {
    origin: opts.origin ?? SIM_DEFAULT_ORIGIN,
    calmBeta: Math.sqrt(calmRho),
    stressedBeta: Math.sqrt(stressedRho),
    calmVol,
    stressedVol: calmVol * (opts.stressedVolMultiplier ?? 2),
    minSeg,
    maxSeg,
    calmLengthFactor: opts.calmLengthFactor ?? 4,
  };
}

interface SymbolPath {
  /** Log close at the last bar of chunk k-1 (index 0: the log start price, as if bar -1). */
  chunkStart: number[];
  chunks: Map<number, Float64Array>;
}

/** One simulation: a seed, a timeframe and its parameters. */
class SimEngine {
  readonly first: number;
  /** Start index of each segment generated so far, plus the end of the last one. */
  private readonly segStarts: number[] = [0];
  private readonly segRand: () => number;
  private readonly firstRegime: SimRegime;
  private readonly factorChunks = new Map<number, Float64Array>();
  private readonly paths = new Map<string, SymbolPath>();

  constructor(
    private readonly seed: number,
    readonly tfMs: number,
    private readonly p: Params,
  ) {
    this.first = Math.ceil(p.origin / tfMs) * tfMs;
    this.segRand = mulberry32(hash32(`${seed}|regime|${tfMs}`));
    this.firstRegime = this.segRand() < 0.5 ? 'calm' : 'stressed';
  }

  /** Generate segment boundaries until `done` holds. */
  private extendSchedule(done: () => boolean): void {
    while (!done()) {
      const base = this.p.minSeg + Math.floor(this.segRand() * (this.p.maxSeg - this.p.minSeg + 1));
      // Calm stretches last longer than stress (as in markets), so stress stands out against its baseline.
      const calm = this.regimeOfSegment(this.segStarts.length - 1) === 'calm';
      const len = calm ? base * this.p.calmLengthFactor : base;
      this.segStarts.push(this.segStarts[this.segStarts.length - 1] + len);
    }
  }

  /** Index of the segment holding bar n. */
  segmentOf(n: number): number {
    this.extendSchedule(() => this.segStarts[this.segStarts.length - 1] > n);
    // Binary search: the last start <= n.
    let lo = 0;
    let hi = this.segStarts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segStarts[mid] <= n) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Segments alternate, starting with a random regime. */
  regimeOfSegment(j: number): SimRegime {
    if (j % 2 === 0) return this.firstRegime;
    return this.firstRegime === 'calm' ? 'stressed' : 'calm';
  }

  segment(j: number): SimSegment {
    this.extendSchedule(() => this.segStarts.length > j + 1);
    const startIndex = this.segStarts[j];
    const endIndex = this.segStarts[j + 1];
    return {
      regime: this.regimeOfSegment(j),
      start: this.first + startIndex * this.tfMs,
      end: this.first + endIndex * this.tfMs,
      startIndex,
      endIndex,
    };
  }

  private factorChunk(k: number): Float64Array {
    let f = this.factorChunks.get(k);
    if (!f) {
      f = normals(hash32(`${this.seed}|factor|${this.tfMs}|${k}`), CHUNK);
      if (this.factorChunks.size >= MAX_CHUNKS) this.factorChunks.delete(this.factorChunks.keys().next().value as number);
      this.factorChunks.set(k, f);
    }
    return f;
  }

  /** Log returns of chunk k for a symbol (bar 0 of the simulation has return 0). */
  private returnsChunk(symbol: string, k: number): Float64Array {
    const f = this.factorChunk(k);
    const e = normals(hash32(`${this.seed}|${symbol}|${this.tfMs}|${k}`), CHUNK);
    const r = new Float64Array(CHUNK);
    for (let i = 0; i < CHUNK; i++) {
      const n = k * CHUNK + i;
      if (n === 0) continue;
      const stressed = this.regimeOfSegment(this.segmentOf(n)) === 'stressed';
      const beta = stressed ? this.p.stressedBeta : this.p.calmBeta;
      const vol = stressed ? this.p.stressedVol : this.p.calmVol;
      r[i] = vol * (beta * f[i] + Math.sqrt(1 - beta * beta) * e[i]);
    }
    return r;
  }

  /** Log closes of chunk k for a symbol. */
  logCloses(symbol: string, k: number): Float64Array {
    let path = this.paths.get(symbol);
    if (!path) {
      // Start prices spread over 0.1 .. 10 000, fixed per (seed, symbol).
      const u = mulberry32(hash32(`${this.seed}|price|${symbol}`))();
      path = { chunkStart: [Math.log(10 ** (u * 5 - 1))], chunks: new Map() };
      this.paths.set(symbol, path);
    }
    const cached = path.chunks.get(k);
    if (cached) return cached;
    while (path.chunkStart.length <= k) {
      const j = path.chunkStart.length - 1;
      const r = this.returnsChunk(symbol, j);
      let s = path.chunkStart[j];
      for (let i = 0; i < CHUNK; i++) s += r[i];
      path.chunkStart.push(s);
    }
    const r = this.returnsChunk(symbol, k);
    const out = new Float64Array(CHUNK);
    let s = path.chunkStart[k];
    for (let i = 0; i < CHUNK; i++) {
      s += r[i];
      out[i] = s;
    }
    if (path.chunks.size >= MAX_CHUNKS) path.chunks.delete(path.chunks.keys().next().value as number);
    path.chunks.set(k, out);
    return out;
  }

  logCloseAt(symbol: string, n: number): number {
    return this.logCloses(symbol, Math.floor(n / CHUNK))[n % CHUNK];
  }

  candle(symbol: string, n: number): Candle {
    const lc = this.logCloseAt(symbol, n);
    const lo = n === 0 ? lc : this.logCloseAt(symbol, n - 1);
    const stressed = this.regimeOfSegment(this.segmentOf(n)) === 'stressed';
    const vol = stressed ? this.p.stressedVol : this.p.calmVol;
    const c = Math.exp(lc);
    const o = Math.exp(lo);
    const wick = Math.exp(0.25 * vol);
    return {
      t: this.first + n * this.tfMs,
      o,
      h: Math.max(o, c) * wick,
      l: Math.min(o, c) / wick,
      c,
      v: Math.round(1000 * (1 + Math.abs(lc - lo) / vol)),
    };
  }
}

/** Engines for simRegimeSchedule/simRegimeAt; each source keeps its own (the data never depends on which). */
const scheduleEngines = new Map<string, SimEngine>();

/** Shortest bar simulated: a price at bar n sums every return since the origin (six years of 1s bars is 190M). */
export const SIM_MIN_TIMEFRAME_MS = 60_000;

function engine(engines: Map<string, SimEngine>, seed: number, timeframe: string, opts: SimOptions): SimEngine {
  const tfMs = timeframeMs(timeframe);
  if (tfMs < SIM_MIN_TIMEFRAME_MS) {
    // Issue 11: `corr BTC ETH --timeframe 1s` on the simulator took 42 s of CPU and held the event loop.
    throw new UserError('unsupported_timeframe', `the simulator makes bars of 1m and longer, not ${timeframe}; use --timeframe 1m or longer`);
  }
  const p = params(opts, tfMs);
  const key = `${seed}|${tfMs}|${JSON.stringify(p)}`;
  let e = engines.get(key);
  if (!e) {
    if (engines.size >= 64) engines.delete(engines.keys().next().value as string);
    e = new SimEngine(seed, tfMs, p);
    engines.set(key, e);
  }
  return e;
}

/** The true regime segments of a simulation overlapping [from, to) (segments are not clipped). */
export function simRegimeSchedule(seed: number, timeframe: string, from: number, to: number, opts: SimOptions = {}): SimSegment[] {
  const e = engine(scheduleEngines, seed, timeframe, opts);
  const out: SimSegment[] = [];
  const n0 = Math.max(0, Math.floor((from - e.first) / e.tfMs));
  for (let j = e.segmentOf(n0); ; j++) {
    const s = e.segment(j);
    if (s.start >= to) break;
    if (s.end > from) out.push(s);
  }
  return out;
}

/** The true regime of the bar holding `time` (the first bar's regime before the origin). */
export function simRegimeAt(seed: number, timeframe: string, time: number, opts: SimOptions = {}): SimRegime {
  const e = engine(scheduleEngines, seed, timeframe, opts);
  const n = Math.max(0, Math.floor((time - e.first) / e.tfMs));
  return e.regimeOfSegment(e.segmentOf(n));
}

export function createSimSource(seed: number, opts: SimOptions = {}): MarketSource {
  if (!Number.isSafeInteger(seed)) throw new UserError('bad_source', `sim: the seed must be a whole number, got ${seed}`);
  const clock = opts.clock ?? systemClock;
  const universe = opts.universe ?? SIM_DEFAULT_UNIVERSE;
  const engines = new Map<string, SimEngine>();

  const resolveSymbol = async (symbol: string): Promise<string> => {
    const s = symbol.trim().toUpperCase();
    if (!ASSET_PATTERN.test(s)) {
      throw new UserError('unknown_symbol', `simulator: "${symbol.trim()}" is not a symbol name; use letters and digits, like BTC`);
    }
    return s;
  };

  return {
    id: `sim:${seed}`,
    venue: 'simulator',
    // The simulator trades around the clock.
    calendar: async () => 'continuous',
    async fetchCandles(symbol, timeframe, since, until, fetchOpts) {
      // Computed at once (no waits): an aborted call is refused up front, like a source's next request.
      throwIfAborted(fetchOpts?.signal, `computing ${symbol} ${timeframe} candles`);
      const sym = await resolveSymbol(symbol);
      const e = engine(engines, seed, timeframe, opts);
      const tf = e.tfMs;
      const end = Math.min(until, Math.floor(clock.now() / tf) * tf);
      const out: Candle[] = [];
      for (let n = Math.max(0, Math.ceil((since - e.first) / tf)); e.first + n * tf < end; n++) out.push(e.candle(sym, n));
      return out;
    },
    listSymbols: async () => [...universe],
    resolveSymbol,
    async latestBarTime(timeframe) {
      const e = engine(engines, seed, timeframe, opts);
      const last = Math.floor(clock.now() / e.tfMs) * e.tfMs - e.tfMs;
      return last >= e.first ? last : undefined;
    },
  };
}
