import { z } from 'zod';
import type { Platform } from '../domain/invocation.js';
import type { Regime } from '../domain/types.js';
import { MAX_BASKET_BARS, MAX_SYMBOLS } from '../domain/limits.js';
import { parseWindow, timeframeMs } from '../domain/timeframe.js';
import { isValidTimeZone } from '../domain/timezone.js';
import type {
  AuditEntry,
  Basket,
  BasketRuntime,
  BasketThresholds,
  Delivery,
  NotificationRecord,
  RegimePoint,
  StoreData,
  Subscription,
} from './types.js';

// The shapes below mirror ./types.ts field for field. Objects are "loose": keys we do not know are kept, not
// dropped, so a hand-added field survives the next write. The `KeysOf` checks at the bottom make tsc fail when a
// field is added to or removed from types.ts without updating this file.

const platforms = ['slack', 'discord', 'console', 'cli'] as const satisfies readonly Platform[];
const regimes = ['calm', 'converging', 'stressed', 'decoupling'] as const satisfies readonly Regime[];
const deliveryStatuses = ['pending', 'sent', 'failed'] as const satisfies readonly Delivery['status'][];
const kinds = ['firing', 'escalated', 'resolved', 'stale', 'recovered'] as const satisfies readonly NotificationRecord['kind'][];

const jsonObject = z.record(z.string(), z.unknown());

const thresholdsShape = { enterZ: z.number(), exitZ: z.number(), stressProbability: z.number(), decoupleZ: z.number() };

const basketShape = {
  name: z.string(),
  symbols: z.array(z.string()),
  timeframe: z.string(),
  window: z.string(),
  baseline: z.string(),
  thresholds: z.looseObject(thresholdsShape),
  createdAt: z.number(),
  updatedAt: z.number(),
  createdBy: z.string(),
  timezone: z.string().optional(),
};

const subscriptionShape = {
  basket: z.string(),
  platform: z.enum(platforms),
  channelId: z.string(),
  createdAt: z.number(),
  createdBy: z.string(),
};

const auditShape = {
  at: z.number(),
  platform: z.enum(platforms),
  userId: z.string(),
  action: z.string(),
  basket: z.string().optional(),
  details: jsonObject,
};

const regimePointShape = {
  at: z.number(),
  avgCorrelation: z.number(),
  regime: z.enum(regimes),
  z: z.number(),
  stressProbability: z.number(),
  enterRho: z.number().optional(),
  exitRho: z.number().optional(),
};

/** A regime history point as stored. */
export const regimePointSchema = z.looseObject(regimePointShape);

const runtimeShape = {
  basket: z.string(),
  // Optional in the schema: JSON drops a key whose value is undefined.
  alertState: z.unknown().optional(),
  model: z.unknown().optional(),
  lastBarAt: z.number().optional(),
  lastTickAt: z.number().optional(),
  lastError: z.looseObject({ at: z.number(), message: z.string() }).optional(),
  history: z.array(regimePointSchema),
};

const deliveryShape = {
  status: z.enum(deliveryStatuses),
  attempts: z.number(),
  lastAttemptAt: z.number().optional(),
  messageRef: z.string().optional(),
  error: z.string().optional(),
  inFlight: z.boolean().optional(),
};

const acknowledgedShape = { by: z.string(), platform: z.enum(platforms), at: z.number() };

const notificationShape = {
  id: z.string(),
  basket: z.string(),
  episode: z.number(),
  kind: z.enum(kinds),
  at: z.number(),
  createdAt: z.number(),
  payload: jsonObject,
  deliveries: z.record(z.string(), z.looseObject(deliveryShape)),
  acknowledged: z.looseObject(acknowledgedShape).optional(),
};

/**
 * A basket as stored, with the values a basket needs (issue 11 §7: a hand-edited file with a one-symbol basket made
 * every tick fail with a stack trace; a bad threshold failed start without saying where). Each problem names the
 * basket, so the refusal of the file says which one to fix.
 */
export const basketSchema = z.looseObject(basketShape).superRefine((b, ctx) => {
  const bad = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message: `basket ${JSON.stringify(b.name)}: ${message}` });
  if (b.symbols.length < 2 || b.symbols.length > MAX_SYMBOLS) bad(['symbols'], `holds ${b.symbols.length} symbols; a basket holds 2 to ${MAX_SYMBOLS}`);
  const upper = b.symbols.map((x) => x.toUpperCase());
  upper.forEach((x, i) => upper.indexOf(x) !== i && bad(['symbols', i], `${b.symbols[i]} is listed twice`));
  let timeframeOk = true;
  try {
    timeframeMs(b.timeframe);
  } catch (e) {
    timeframeOk = false;
    bad(['timeframe'], (e as Error).message);
  }
  if (timeframeOk) {
    // The window bounds the warm-up; the baseline's default (90 days) is long in bars for short timeframes and is
    // bounded where it is set explicitly (config, basket set), not here.
    for (const key of ['window', 'baseline'] as const) {
      try {
        const w = parseWindow(b[key], b.timeframe);
        if (w.kind !== 'count') bad([key], `"${b[key]}" is not a size a basket can use`);
        else if (key === 'window' && w.returns > MAX_BASKET_BARS) bad([key], `${b[key]} is ${w.returns} bars; at most ${MAX_BASKET_BARS}`);
      } catch (e) {
        bad([key], (e as Error).message);
      }
    }
  }
  if (b.timezone !== undefined && !isValidTimeZone(b.timezone)) bad(['timezone'], `unknown time zone ${JSON.stringify(b.timezone)}`);
  const t = b.thresholds;
  if (!(t.enterZ >= 0.5 && t.enterZ <= 10)) bad(['thresholds', 'enterZ'], `enterZ must be from 0.5 to 10, got ${t.enterZ}`);
  if (!(t.exitZ < t.enterZ)) bad(['thresholds', 'exitZ'], `exitZ must be below enterZ (${t.enterZ}), got ${t.exitZ}`);
  if (!(t.stressProbability >= 0.5 && t.stressProbability <= 1)) bad(['thresholds', 'stressProbability'], `stressProbability must be from 0.5 to 1, got ${t.stressProbability}`);
  if (!(t.decoupleZ <= -0.5 && t.decoupleZ >= -10)) bad(['thresholds', 'decoupleZ'], `decoupleZ must be from -10 to -0.5, got ${t.decoupleZ}`);
});
/** A subscription as stored. */
export const subscriptionSchema = z.looseObject(subscriptionShape);
/** An audit entry as stored. */
export const auditSchema = z.looseObject(auditShape);
/** A basket's runtime as stored. */
export const runtimeSchema = z.looseObject(runtimeShape);
/** One delivery as stored. */
export const deliverySchema = z.looseObject(deliveryShape);
/** An acknowledgement as stored. */
export const acknowledgedSchema = z.looseObject(acknowledgedShape);
/** A notification record as stored. */
export const notificationSchema = z.looseObject(notificationShape);

const storeDataShape = {
  schemaVersion: z.number(),
  createdAt: z.number(),
  baskets: z.array(basketSchema),
  subscriptions: z.array(subscriptionSchema),
  runtime: z.record(z.string(), runtimeSchema),
  notifications: z.array(notificationSchema),
  audit: z.array(auditSchema),
  seeded: z.boolean(),
};

/**
 * The whole document, with the invariants the operations rely on: basket names, notification ids and
 * (basket, platform, channel) subscriptions are unique, and each runtime is filed under its own basket's name.
 */
export const storeDataSchema = z.looseObject(storeDataShape).superRefine((doc, ctx) => {
  const dup = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const seen = (keys: string[], where: string, what: string) => {
    const set = new Set<string>();
    keys.forEach((k, i) => (set.has(k) ? dup([where, i], `duplicate ${what} ${JSON.stringify(k)}`) : set.add(k)));
  };
  seen(doc.baskets.map((b) => b.name), 'baskets', 'basket name');
  seen(doc.notifications.map((n) => n.id), 'notifications', 'notification id');
  seen(doc.subscriptions.map((s) => `${s.basket} ${s.platform}:${s.channelId}`), 'subscriptions', 'subscription');
  for (const [key, rt] of Object.entries(doc.runtime)) {
    if (rt.basket !== key) dup(['runtime', key, 'basket'], `runtime filed under ${JSON.stringify(key)} is for basket ${JSON.stringify(rt.basket)}`);
  }
});

type KeysOf<T, Shape> = [keyof T] extends [keyof Shape] ? ([keyof Shape] extends [keyof T] ? true : never) : never;
// Each line fails to compile when the shape and the interface in types.ts list different fields.
const keyChecks: true[] = [
  true satisfies KeysOf<BasketThresholds, typeof thresholdsShape>,
  true satisfies KeysOf<Basket, typeof basketShape>,
  true satisfies KeysOf<Subscription, typeof subscriptionShape>,
  true satisfies KeysOf<AuditEntry, typeof auditShape>,
  true satisfies KeysOf<RegimePoint, typeof regimePointShape>,
  true satisfies KeysOf<BasketRuntime, typeof runtimeShape>,
  true satisfies KeysOf<Delivery, typeof deliveryShape>,
  true satisfies KeysOf<NonNullable<NotificationRecord['acknowledged']>, typeof acknowledgedShape>,
  true satisfies KeysOf<NotificationRecord, typeof notificationShape>,
  true satisfies KeysOf<StoreData, typeof storeDataShape>,
];
void keyChecks;

type Fits<From, To> = [From] extends [To] ? true : never;
type Out<S extends z.ZodType> = z.output<S>;
// And these fail when a field's type in a shape no longer fits the interface. `alertState` is made required for the
// check: types.ts requires it (of type unknown) but the shape has it optional, since JSON drops an undefined value.
const typeChecks: true[] = [
  true satisfies Fits<Out<typeof basketSchema>, Basket>,
  true satisfies Fits<Out<typeof subscriptionSchema>, Subscription>,
  true satisfies Fits<Out<typeof auditSchema>, AuditEntry>,
  true satisfies Fits<Out<typeof runtimeSchema> & { alertState: unknown }, BasketRuntime>,
  true satisfies Fits<Out<typeof deliverySchema>, Delivery>,
  true satisfies Fits<Out<typeof notificationSchema>, NotificationRecord>,
];
void typeChecks;
