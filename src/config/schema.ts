import { z } from 'zod';
import { BASKET_NAME_HINT, BASKET_NAME_PATTERN, QUOTE_PATTERN, SOURCE_HINT, SOURCE_PATTERN, SYMBOL_HINT, SYMBOL_PATTERN } from '../domain/patterns.js';
import { durationMs, parseWindow, timeframeMs } from '../domain/timeframe.js';
import cron from 'node-cron';
import { MAX_BASKET_BARS, MAX_SYMBOLS } from '../domain/limits.js';
import { defaultEnterZ } from '../regime/calibration.js';
import { parsePostgresUrl } from '../store/postgres/connection.js';
import { canonicalTimeZone, TIME_ZONE_HINT } from '../domain/timezone.js';

/** Characters of a value an error message shows: a 100 KB value is not echoed back (issue 11 §8). */
const SHOWN_CHARS = 40;

/**
 * A value as a configuration error shows it: JSON (a number as written, NaN included), clipped to SHOWN_CHARS
 * characters with the length of the rest, invisible and direction-changing characters escaped, never throwing
 * (a YAML alias can make a value that refers to itself).
 */
export function shown(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'number' || typeof v === 'bigint' ? String(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = Array.isArray(v) ? 'a list' : `a ${typeof v}`;
  }
  return clipText(s);
}

/** Text as an error shows it: invisible and direction-changing characters escaped, clipped to SHOWN_CHARS. */
function clipText(text: string): string {
  const s = text.replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (s.length <= SHOWN_CHARS) return s;
  const head = s.slice(0, SHOWN_CHARS).replace(/[\ud800-\udbff]$/, '');
  return `${head}… (${s.length} characters)`;
}

/** `7d`, `12h` or a whole number of bars (returns). */
function isWindowValue(v: unknown): boolean {
  if (v === 'auto') return true;
  // 1e21 is a whole number too, but as text ("1e+21") no window.
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 2;
  if (typeof v !== 'string') return false;
  if (/^\d+$/.test(v)) return Number(v) >= 2;
  return durationMs(v) !== undefined;
}

const windowValue = z
  .unknown()
  .superRefine((v, ctx) => {
    if (!isWindowValue(v)) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like 7d or a bar count, got ${shown(v)}` });
    }
  })
  .transform((v) => String(v));

/** A duration, at most `max` when given (`[ms, as written]`). */
const durationValue = (max?: [number, string]) =>
  z
    .unknown()
    .superRefine((v, ctx) => {
      const ms = typeof v === 'string' ? durationMs(v) : undefined;
      if (ms === undefined) ctx.addIssue({ code: 'custom', message: `expected a duration like 30s, 15m, 4h or 7d, got ${shown(v)}` });
      else if (max && ms > max[0]) ctx.addIssue({ code: 'custom', message: `expected a duration of at most ${max[1]}, got ${shown(v)}` });
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
    if (!ok) ctx.addIssue({ code: 'custom', message: `expected a timeframe like 1m, 15m, 1h, 4h or 1d, got ${shown(v)}` });
  })
  .transform((v) => String(v));

/** An IANA time zone (`Asia/Singapore`), as Intl spells it; an unknown zone is refused with the key's path. */
const timeZoneValue = z
  .unknown()
  .superRefine((v, ctx) => {
    if (typeof v !== 'string' || canonicalTimeZone(v) === undefined) ctx.addIssue({ code: 'custom', message: `${TIME_ZONE_HINT}, got ${shown(v)}` });
  })
  .transform((v) => canonicalTimeZone(String(v)) ?? String(v));

const sourceValue = z.string().regex(SOURCE_PATTERN, { message: `expected ${SOURCE_HINT}` });

const symbolValue = z
  .string()
  .regex(SYMBOL_PATTERN, { message: `expected ${SYMBOL_HINT}` })
  .transform((s) => s.toUpperCase());

/** The thresholds' values, without defaults (a basket's own `thresholds:` sets only the keys it names). */
const thresholdFields = {
  /** Convergence evidence √(2·CUSUM) at which a basket is converging; auto = from detector.falseAlarmYears. */
  enterZ: z.union([z.number().min(0.5).max(10), z.literal('auto')]),
  /** Evidence below which a firing episode may end (hysteresis: below enterZ). */
  exitZ: z.number(),
  /** Filtered probability of the stress state above which a high-ρ basket is stressed. */
  stressProbability: z.number().min(0.5).max(1),
  /** z-score below which a basket is decoupling. */
  decoupleZ: z.number().min(-10).max(-0.5),
};

const hysteresis = (t: { enterZ?: number | 'auto'; exitZ?: number }, ctx: z.RefinementCtx) => {
  if (typeof t.enterZ === 'number' && typeof t.exitZ === 'number' && t.exitZ >= t.enterZ) {
    ctx.addIssue({ code: 'custom', path: ['exitZ'], message: `must be below enterZ (${t.enterZ}) for hysteresis, got ${t.exitZ}` });
  }
};

const thresholdsSchema = z
  .object({
    enterZ: thresholdFields.enterZ.default('auto'),
    exitZ: thresholdFields.exitZ.default(2),
    stressProbability: thresholdFields.stressProbability.default(0.8),
    decoupleZ: thresholdFields.decoupleZ.default(-2),
  })
  .strict()
  .superRefine(hysteresis);

/** A basket's override of detector.thresholds: the keys it names replace those, the others are inherited. */
const basketThresholdsSchema = z.object(thresholdFields).partial().strict().superRefine(hysteresis);

const basketSchema = z
  .object({
    symbols: z.array(symbolValue).min(2, { message: 'a basket needs at least 2 symbols' }).max(MAX_SYMBOLS, { message: `a basket holds at most ${MAX_SYMBOLS} symbols` }),
    timeframe: timeframeValue.optional(),
    window: windowValue.optional(),
    baseline: windowValue.optional(),
    thresholds: basketThresholdsSchema.optional(),
    /** The basket's display time zone (its alerts, `regime`), overriding display.timezone. */
    timezone: timeZoneValue.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    // The same symbol twice (BTC and btc) would count its correlation with itself, 1, in every average.
    const seen = new Map<string, string>();
    b.symbols.forEach((sym, i) => {
      const key = sym.toUpperCase();
      const first = seen.get(key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['symbols', i], message: `${clipText(sym)} is listed twice (as ${clipText(first)} already)` });
      else seen.set(key, sym);
    });
    // The detector needs at least 20 returns in a window (7d of 1d bars is only 7); a window or baseline no basket
    // could fill (99999999 bars) would leave it warming up forever.
    for (const key of ['window', 'baseline'] as const) {
      const problem = basketSizeProblem(key, b[key], b.timeframe ?? '1h');
      if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
    }
  });

/**
 * What is wrong with a basket's window or baseline for its timeframe: a duration shorter than a bar, a window under
 * 20 returns, more than MAX_BASKET_BARS bars. Nothing for `auto`, nor when the value or the timeframe is itself
 * wrong (reported by its own check; a refinement runs after such a check failed, on the value as written).
 */
function basketSizeProblem(key: 'window' | 'baseline', text: unknown, timeframe: unknown): string | undefined {
  if (typeof text !== 'string' || text === 'auto' || !isWindowValue(text) || typeof timeframe !== 'string') return undefined;
  try {
    timeframeMs(timeframe);
  } catch {
    return undefined;
  }
  let w;
  try {
    w = parseWindow(text, timeframe);
  } catch {
    return `${clipText(text)} is shorter than one ${clipText(timeframe)} bar`;
  }
  if (w.kind !== 'count') return `expected a duration or a bar count, not ${clipText(text)}`;
  if (key === 'window' && w.returns < 20) return `${clipText(text)} of ${clipText(timeframe)} bars is ${w.returns} returns; at least 20 are needed`;
  if (w.returns > MAX_BASKET_BARS) return `${clipText(text)} of ${clipText(timeframe)} bars is ${w.returns} bars; a basket's ${key} spans at most ${MAX_BASKET_BARS}`;
  return undefined;
}

export const configSchema = z
  .object({
    market: z
      .object({
        source: sourceValue.default('ccxt:binance'),
        quote: z.string().regex(QUOTE_PATTERN).default('USDT'),
        /** At most an hour: a longer one would overflow Node's timers, which then fire at once. */
        timeout: durationValue([3_600_000, '1h']).default('10s'),
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
    dataDir: z
      .string()
      .min(1)
      .refine((s) => !s.includes('\0'), { message: 'a path cannot hold a NUL character' })
      .default('./data'),
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
        /**
         * A PostgreSQL store instead of the files (issue 13): postgres://user@host:5432/database. No password here
         * (PGPASSWORD gives it); DATABASE_URL overrides it.
         */
        url: z
          .string()
          .optional()
          .superRefine((text, ctx) => {
            if (text === undefined) return;
            const parsed = parsePostgresUrl(text);
            // The messages never repeat the value: it may hold a password.
            if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
            else if (parsed.url.password || parsed.url.searchParams.has('password')) {
              ctx.addIssue({ code: 'custom', message: 'holds a password: give it in PGPASSWORD (or the whole URL in DATABASE_URL), never in a configuration file' });
            }
          }),
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
        giveUpAfter: durationValue().default('1h'),
      })
      .strict()
      .prefault({}),
    /**
     * Several replicas on one PostgreSQL store (issue 13; not used with the lowdb store): how each takes its share of
     * the basket-bar jobs and of the outbox (src/scheduler/basket-jobs.ts).
     */
    replicas: z
      .object({
        /** Basket-bar jobs one replica evaluates at once. */
        workers: z.number().int().min(1).max(32).default(2),
        /** A job not finished this long after it started is failed and taken by another replica (its own died). */
        jobTimeout: durationValue([82_800_000, '23h']).default('10m'),
        /** A delivery one replica took is another's to try after this long without its outcome: longer than a send. */
        deliveryLease: durationValue().default('5m'),
        /** How often each replica runs the outbox between jobs (at once after a job that decided an alert). */
        outboxEvery: durationValue().default('30s'),
        /** How often an idle replica asks for a job (at least 0.5s). */
        pollEvery: durationValue().default('2s'),
      })
      .strict()
      .prefault({}),
    // Names are checked here rather than by the record's key schema, whose failure zod reports only as "Invalid key
    // in record" (issue 11).
    baskets: z
      .record(z.string(), basketSchema)
      .superRefine((baskets, ctx) => {
        for (const name of Object.keys(baskets)) {
          if (!BASKET_NAME_PATTERN.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `basket names are ${BASKET_NAME_HINT}, got ${shown(name)}` });
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
    /** How times are shown to people (messages, charts, console); JSON output stays UTC ISO. */
    display: z
      .object({ timezone: timeZoneValue.default('UTC') })
      .strict()
      .prefault({}),
    log: z
      .object({ level: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    // What a basket takes from the detector's settings, checked as the store will check the seeded basket (issue 11
    // §7: such a basket was refused only when stored, without naming the file or key).
    for (const [name, b] of Object.entries(c.baskets)) {
      // This runs after checks that failed without stopping zod (a bad window, a bound): values may be as written.
      const timeframe: unknown = b.timeframe ?? '1h';
      if (typeof timeframe !== 'string') continue;
      try {
        timeframeMs(timeframe);
      } catch {
        continue; // reported by its own check
      }
      const t = { ...c.detector.thresholds, ...(b.thresholds ?? {}) };
      let enterZ = t.enterZ;
      if (enterZ === 'auto') {
        try {
          enterZ = defaultEnterZ(timeframe, c.detector.falseAlarmYears);
        } catch {
          // Fewer than one bar in falseAlarmYears years (99999w bars): no level to calibrate.
          ctx.addIssue({
            code: 'custom',
            path: ['baskets', name, 'timeframe'],
            message: `${shown(timeframe)} bars are longer than detector.falseAlarmYears (${c.detector.falseAlarmYears} years): the alert level cannot be calibrated; use a shorter timeframe or set thresholds.enterZ`,
          });
          continue;
        }
      }
      // exitZ and a numeric enterZ of the same thresholds are compared by thresholdsSchema.
      const sameObject = (b.thresholds?.exitZ !== undefined) === (b.thresholds?.enterZ !== undefined);
      if (typeof t.exitZ === 'number' && typeof enterZ === 'number' && t.exitZ >= enterZ && (t.enterZ === 'auto' || !sameObject)) {
        const own = b.thresholds?.exitZ !== undefined;
        ctx.addIssue({
          code: 'custom',
          path: own ? ['baskets', name, 'thresholds', 'exitZ'] : ['detector', 'thresholds', 'exitZ'],
          message: `must be below enterZ (${enterZ}${t.enterZ === 'auto' ? `, calibrated for the ${timeframe} bars of basket ${name}` : ''}) for hysteresis, got ${t.exitZ}`,
        });
      }
      if (b.baseline === undefined && c.detector.baseline !== 'auto') {
        const problem = basketSizeProblem('baseline', c.detector.baseline, timeframe);
        if (problem) ctx.addIssue({ code: 'custom', path: ['detector', 'baseline'], message: `for basket ${name}: ${problem}` });
      }
    }
  });

export type Config = z.output<typeof configSchema>;
export type BasketConfig = z.output<typeof basketSchema>;
export type Thresholds = z.output<typeof thresholdsSchema>;
