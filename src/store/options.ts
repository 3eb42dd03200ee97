/** Size bounds of a store (see `resolveLimits` for the defaults). */
export interface StoreOptions {
  /** Regime points kept per basket (oldest dropped). Default 2000. */
  maxHistory?: number;
  /** Notifications kept: the newest this many, plus any older one with a delivery still pending. Default 5000. */
  maxNotifications?: number;
  /** Audit entries kept (oldest dropped). Default 10000. */
  maxAudit?: number;
}

/** `StoreOptions` with every bound filled in. */
export type StoreLimits = Required<StoreOptions>;

/** The bounds used when an option is not given. */
export const DEFAULT_LIMITS: Readonly<StoreLimits> = { maxHistory: 2000, maxNotifications: 5000, maxAudit: 10_000 };

/** Fill in defaults and check every bound is a whole number >= 0 (`maxAudit` may be Infinity). */
export function resolveLimits(opts: StoreOptions = {}): StoreLimits {
  const limits: StoreLimits = {
    maxHistory: opts.maxHistory ?? DEFAULT_LIMITS.maxHistory,
    maxNotifications: opts.maxNotifications ?? DEFAULT_LIMITS.maxNotifications,
    maxAudit: opts.maxAudit ?? DEFAULT_LIMITS.maxAudit,
  };
  for (const [key, value] of Object.entries(limits)) {
    const ok = value >= 0 && (Number.isInteger(value) || (key === 'maxAudit' && value === Infinity));
    if (!ok) throw new RangeError(`store option ${key} must be a whole number >= 0, got ${value}`);
  }
  return limits;
}
