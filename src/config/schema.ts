import { z } from 'zod';
import { BASKET_NAME_HINT, BASKET_NAME_PATTERN, QUOTE_PATTERN, SOURCE_HINT, SOURCE_PATTERN, SYMBOL_HINT, SYMBOL_PATTERN } from '../domain/patterns.js';
import { durationMs, parseWindow, timeframeMs } from '../domain/timeframe.js';
import cron from 'node-cron';
import { MAX_BASKET_BARS, MAX_SYMBOLS } from '../domain/limits.js';

/** `7d`, `12h` or a whole number of bars (returns). */
function isWindowValue(v: unknown): boolean {
  if (v === 'auto') return true;
  if (typeof v === 'number') return Number.isInteger(v) && v >= 2;
  if (typeof v !== 'string') return false;
  if (/^\d+$/.test(v)) return Number(v) >= 2;
  return durationMs(v) !== undefined;
}

const windowValue = z
  .unknown()
  .superRefine((v, ctx) => {
    if (!isWindowValue(v)) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like 7d or a bar count, got ${JSON.stringify(v)}` });
    }
  })
  .transform((v) => String(v));

const durationValue = z
  .unknown()
  .superRefine((v, ctx) => {
    if (typeof v !== 'string' || durationMs(v) === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like 30s, 15m, 4h or 7d, got ${JSON.stringify(v)}` });
    }
  })
  .transform((v) => String(v));

const timeframeValue = z
  .unknown()
  .superRefine((v, ctx) => {
    let ok = false;
    if (typeof v === 'string') {
      try {
        timeframeMs(v);
        ok = true;
      } catch {
        ok = false;
      }
    }
    if (!ok) ctx.addIssue({ code: 'custom', message: `expected a timeframe like 1m, 15m, 1h, 4h or 1d, got ${JSON.stringify(v)}` });
  })
  .transform((v) => String(v));

const sourceValue = z.string().regex(SOURCE_PATTERN, { message: `expected ${SOURCE_HINT}` });

const symbolValue = z
  .string()
  .regex(SYMBOL_PATTERN, { message: `expected ${SYMBOL_HINT}` })
  .transform((s) => s.toUpperCase());

const thresholdsSchema = z
  .object({
    /** Convergence evidence √(2·CUSUM) at which a basket is converging; auto = from detector.falseAlarmYears. */
    enterZ: z.union([z.number().positive(), z.literal('auto')]).default('auto'),
    /** Evidence below which a firing episode may end (hysteresis: below enterZ). */
    exitZ: z.number().default(2),
    /** Filtered probability of the stress state above which a high-ρ basket is stressed. */
    stressProbability: z.number().min(0.5).max(1).default(0.8),
    /** z-score below which a basket is decoupling. */
    decoupleZ: z.number().negative().default(-2),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (typeof t.enterZ === 'number' && t.exitZ >= t.enterZ) ctx.addIssue({ code: 'custom', path: ['exitZ'], message: `must be below enterZ (${t.enterZ}) for hysteresis, got ${t.exitZ}` });
  });

const basketSchema = z
  .object({
    symbols: z.array(symbolValue).min(2, { message: 'a basket needs at least 2 symbols' }).max(MAX_SYMBOLS, { message: `a basket holds at most ${MAX_SYMBOLS} symbols` }),
    timeframe: timeframeValue.optional(),
    window: windowValue.optional(),
    baseline: windowValue.optional(),
    thresholds: thresholdsSchema.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    // The same symbol twice (BTC and btc) would count its correlation with itself, 1, in every average.
    const seen = new Map<string, string>();
    b.symbols.forEach((sym, i) => {
      const key = sym.toUpperCase();
      const first = seen.get(key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['symbols', i], message: `${sym} is listed twice (as ${first} already)` });
      else seen.set(key, sym);
    });
    // The detector needs at least 20 returns in a window (7d of 1d bars is only 7); a window or baseline no basket
    // could fill (99999999 bars) would leave it warming up forever.
    for (const key of ['window', 'baseline'] as const) {
      const text = b[key];
      if (!text || text === 'auto') continue;
      try {
        const w = parseWindow(text, b.timeframe ?? '1h');
        if (w.kind !== 'count') continue;
        if (key === 'window' && w.returns < 20) {
          ctx.addIssue({ code: 'custom', path: [key], message: `${text} of ${b.timeframe ?? '1h'} bars is ${w.returns} returns; at least 20 are needed` });
        }
        if (w.returns > MAX_BASKET_BARS) {
          ctx.addIssue({ code: 'custom', path: [key], message: `${text} of ${b.timeframe ?? '1h'} bars is ${w.returns} bars; a basket's ${key} spans at most ${MAX_BASKET_BARS}` });
        }
      } catch {
        // timeframe or window already reported by their own checks
      }
    }
  });

export const configSchema = z
  .object({
    market: z
      .object({
        source: sourceValue.default('ccxt:binance'),
        quote: z.string().regex(QUOTE_PATTERN).default('USDT'),
        timeout: durationValue.default('10s'),
        baseUrl: z.string().url().nullable().default(null),
        maxRetries: z.number().int().min(0).max(10).default(3),
        /** Upper bound of bars fetched for `--window all` from an exchange. */
        maxBars: z.number().int().min(100).max(100_000).default(5000),
      })
      .strict()
      .prefault({}),
    defaults: z
      .object({
        timeframe: timeframeValue.default('1h'),
        window: windowValue.default('auto'),
        method: z.enum(['pearson', 'spearman']).default('pearson'),
      })
      .strict()
      .prefault({}),
    dataDir: z.string().min(1).default('./data'),
    /** The on-disk candle cache under dataDir: the newest maxBars bars are kept per (source, symbol, timeframe). */
    cache: z
      .object({ maxBars: z.number().int().min(100).max(1_000_000).default(10_000) })
      .strict()
      .prefault({}),
    /** Bounds of what the store keeps (history.jsonl, outbox.jsonl, audit.jsonl beside the data file). */
    store: z
      .object({
        /** Regime points kept per basket (charts and `regime`). */
        maxHistory: z.number().int().min(10).max(1_000_000).default(2000),
        /** Notifications kept: the newest this many, plus any older one still being delivered. */
        maxNotifications: z.number().int().min(10).max(1_000_000).default(5000),
        /** Audit entries kept (who changed what). */
        maxAudit: z.number().int().min(10).max(10_000_000).default(10_000),
      })
      .strict()
      .prefault({}),
    schedule: z
      .string()
      .default('auto')
      .refine((s) => s === 'auto' || cron.validate(s), { message: 'expected "auto" or a cron expression like "1 * * * *"' }),
    detector: z
      .object({
        baseline: windowValue.default('auto'),
        /** About one false convergence alert per this many years of bars of a basket with constant correlation. */
        falseAlarmYears: z.number().min(0.1).max(1000).default(10),
        thresholds: thresholdsSchema.prefault({}),
        states: z.union([z.literal(2), z.literal(3)]).default(2),
      })
      .strict()
      .prefault({}),
    alerts: z
      .object({
        forBars: z.number().int().min(1).max(100).default(1),
        minDwellBars: z.number().int().min(0).max(1000).default(6),
        cooldownBars: z.number().int().min(0).max(10_000).default(24),
        staleBars: z.number().int().min(1).max(1000).default(3),
        /** A delivery not sent this long after its alert was decided is given up, never posted late. */
        giveUpAfter: durationValue.default('1h'),
      })
      .strict()
      .prefault({}),
    // Names are checked here rather than by the record's key schema, whose failure zod reports only as "Invalid key
    // in record" (issue 11).
    baskets: z
      .record(z.string(), basketSchema)
      .superRefine((baskets, ctx) => {
        for (const name of Object.keys(baskets)) {
          if (!BASKET_NAME_PATTERN.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `basket names are ${BASKET_NAME_HINT}, got ${JSON.stringify(name)}` });
        }
      })
      .default({}),
    admins: z
      .object({
        slack: z.array(z.string()).default([]),
        discord: z
          .object({ roles: z.array(z.string()).default([]), users: z.array(z.string()).default([]) })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** Chat queries (corr, matrix, regime, compare, backtest) run in worker threads: how many (0: on the main thread). */
    queries: z
      .object({ threads: z.union([z.literal('auto'), z.number().int().min(0).max(16)]).default('auto') })
      .strict()
      .prefault({}),
    log: z
      .object({ level: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.output<typeof configSchema>;
export type BasketConfig = z.output<typeof basketSchema>;
export type Thresholds = z.output<typeof thresholdsSchema>;
