import { z } from 'zod';
import type { Platform } from '../domain/invocation.js';
import type { Regime } from '../domain/types.js';
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

/** A basket as stored. */
export const basketSchema = z.looseObject(basketShape);
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
