import type { Platform } from '../domain/invocation.js';
import type { Regime } from '../domain/types.js';

/** Per-basket thresholds (see config/default.yaml `detector.thresholds` for what each means and why). */
export interface BasketThresholds {
  enterZ: number;
  exitZ: number;
  stressProbability: number;
  decoupleZ: number;
}

/** A watched basket. `window` and `baseline` are texts as given (`7d`, `168`), converted with the timeframe. */
export interface Basket {
  name: string;
  symbols: string[];
  timeframe: string;
  window: string;
  baseline: string;
  thresholds: BasketThresholds;
  createdAt: number;
  updatedAt: number;
  /** `config` for baskets seeded from the config file, else `platform:userId`. */
  createdBy: string;
  /** IANA display time zone of the basket's alerts and replies; absent: the config's display.timezone. */
  timezone?: string;
}

/** A chat channel subscribed to a basket's alerts. */
export interface Subscription {
  basket: string;
  platform: Platform;
  channelId: string;
  createdAt: number;
  createdBy: string;
}

/** One admin change, kept forever (who, what, when). */
export interface AuditEntry {
  at: number;
  platform: Platform;
  userId: string;
  /** e.g. `basket.create`, `basket.set`, `alerts.subscribe`, `alerts.snooze`, `alert.acknowledge`. */
  action: string;
  basket?: string;
  details: Record<string, unknown>;
}

/** One point of a basket's regime history (for charts and `regime`): one per closed bar the detector saw. */
export interface RegimePoint {
  at: number;
  avgCorrelation: number;
  regime: Regime;
  z: number;
  stressProbability: number;
  /** Adaptive entry/exit thresholds expressed as avg ρ at this bar (for the chart's threshold lines). */
  enterRho?: number;
  exitRho?: number;
}

/** What the watcher keeps per basket between ticks. `alertState` and `model` are owned by the policy and detector. */
export interface BasketRuntime {
  basket: string;
  /** The alert policy's state (validated by the policy's parser on read). */
  alertState: unknown;
  /** The detector's fitted model and online filter state (JSON). */
  model?: unknown;
  /** Open time of the newest bar the detector has processed. */
  lastBarAt?: number;
  lastTickAt?: number;
  /** The last failure for this basket (exchange error, delisted symbol), cleared on success. */
  lastError?: { at: number; message: string };
  /** Recent regime points, oldest first, bounded (the store keeps at most `maxHistory`). */
  history: RegimePoint[];
}

export type NotificationKind = 'firing' | 'escalated' | 'resolved' | 'stale' | 'recovered';

/** Delivery of one notification to one target (`platform:channelId`). */
export interface Delivery {
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastAttemptAt?: number;
  /** Platform message reference once sent (Slack `channel/ts`, Discord message id): threads, edits. */
  messageRef?: string;
  error?: string;
  /**
   * Set just before a send, cleared when its outcome is recorded, unless that outcome is unknown (no answer, a
   * timeout, a 5xx: NotifyResult.unconfirmed). Still set on a later attempt: the platform may have the message (or
   * the process stopped between the send and the record); the outbox looks for it before sending again
   * (Notifier.findSent).
   */
  inFlight?: boolean;
}

/**
 * A claim on one delivery by one outbox round (issue 13: several replicas deliver from one PostgreSQL store). While
 * the claim holds, no other round takes the delivery; it is released once the round has recorded the outcome, and
 * lapses after `leaseMs` if the process dies first (then another replica takes the delivery, and its in-flight mark
 * makes that replica look for the message on the platform before posting: Notifier.findSent).
 */
export interface DeliveryClaim {
  /** Who holds it: unique per outbox round (a replica runs several rounds over its life, never two on one claim). */
  owner: string;
  /**
   * How long the claim holds unless released or renewed (the round renews it every third of it while a send runs, so
   * only a dead or stuck process lets it lapse). Measured on the store's clock.
   */
  leaseMs: number;
}

/**
 * A notification the policy decided on, with its delivery to every subscribed target. Written before any
 * delivery is tried (an outbox): a failed delivery stays `pending` or `failed` and is retried on the next tick;
 * a sent one is never sent again, across restarts.
 */
export interface NotificationRecord {
  /** `${basket}:${episode}:${kind}`: unique, so the same decision is never enqueued twice. */
  id: string;
  basket: string;
  episode: number;
  kind: NotificationKind;
  /** Bar open time the decision was made at. */
  at: number;
  createdAt: number;
  /** Everything needed to render the message later (regime, avg ρ, baseline, drivers, duration, peak, reason). */
  payload: Record<string, unknown>;
  deliveries: Record<string, Delivery>;
  acknowledged?: { by: string; platform: Platform; at: number };
}

export const STORE_SCHEMA_VERSION = 3;

/** The whole persisted document (lowdb). */
export interface StoreData {
  schemaVersion: number;
  createdAt: number;
  baskets: Basket[];
  subscriptions: Subscription[];
  runtime: Record<string, BasketRuntime>;
  notifications: NotificationRecord[];
  audit: AuditEntry[];
  /** Basket names seeded from config at first start (so a deleted basket is not re-seeded). */
  seeded: boolean;
}

/**
 * Persistence for everything but candles (those live in the candle cache, in their own files under the same data
 * directory, so the main document stays small and every write stays cheap). Implementations serialise writes.
 */
/** How a runtime being written combines with the one stored (see Store.putRuntimes). */
export type RuntimeMerge = (stored: BasketRuntime | undefined, next: BasketRuntime) => BasketRuntime;

/** An edit of one basket applied to the stored one (Store.changeBasket). */
export type BasketChange = (current: Basket | undefined) => Basket;

/** A tick's decisions and the runtimes they leave (Store.commitTick). */
export interface TickCommit {
  runtimes: BasketRuntime[];
  notifications: NotificationRecord[];
  merge?: RuntimeMerge;
}

export interface Store {
  /** Where the data lives (for messages). */
  readonly location: string;
  /** Open or create the store; on first creation seed these baskets. Refuses a corrupt or unknown file. */
  open(seed: Basket[]): Promise<void>;
  close(): Promise<void>;

  listBaskets(): Promise<Basket[]>;
  getBasket(name: string): Promise<Basket | undefined>;
  /** Insert or replace by name. */
  putBasket(basket: Basket): Promise<void>;
  /**
   * Change one basket as it is stored at the moment of the write (an admin's edit): `change` gets the stored basket
   * (a copy; undefined when there is none) and returns the basket to store under that name, or throws to store nothing
   * (the error, a UserError for the admin, comes out as thrown). It runs inside the store's atomic write (the lock
   * file; on PostgreSQL a transaction holding a lock on the name), so two admins editing one basket at once both keep
   * their change, and two creating one name get one basket and one error. Returns the basket stored.
   */
  changeBasket(name: string, change: BasketChange): Promise<Basket>;
  /** Removes the basket, its subscriptions and runtime; returns false when it did not exist. */
  deleteBasket(name: string): Promise<boolean>;

  listSubscriptions(basket?: string): Promise<Subscription[]>;
  /** Returns false when the same (basket, platform, channel) subscription already existed. */
  addSubscription(sub: Subscription): Promise<boolean>;
  removeSubscription(basket: string, platform: Platform, channelId: string): Promise<boolean>;

  getRuntime(basket: string): Promise<BasketRuntime | undefined>;
  putRuntime(runtime: BasketRuntime): Promise<void>;
  /**
   * putRuntime for several baskets in one write (the watcher saves a whole tick at once). With `merge`, each runtime
   * written is merge(the one stored at the moment of the write, the one given), inside the store's atomic write (the
   * lock file, the transaction): so a field another process owns (an admin's snooze) is never lost to a write that
   * read it earlier. The stored runtime passed to merge may hold no history.
   */
  putRuntimes(runtimes: BasketRuntime[], merge?: RuntimeMerge): Promise<void>;
  /**
   * What a tick (or a replica's basket-bar job) decided, committed together: the notifications its decisions made,
   * each added as addNotification adds it (a record whose id is stored already is left as it is), and the runtimes
   * holding the alert state those decisions moved to, written as putRuntimes writes them (with `merge`). Either all of
   * it is stored or none (PostgreSQL: one transaction). The lowdb store writes its files in one change under its lock,
   * the outbox file before the main document: a crash between the two leaves the records without the state that made
   * them, and the next tick, starting from the state stored, decides the same records again under the same ids (which
   * the outbox already holds), so nothing is lost and nothing is recorded twice.
   */
  commitTick(tick: TickCommit): Promise<void>;

  /** Adds the record unless one with the same id exists (returns false then). */
  addNotification(record: NotificationRecord): Promise<boolean>;
  getNotification(id: string): Promise<NotificationRecord | undefined>;
  /** Records with at least one delivery not `sent` (oldest first). */
  pendingNotifications(): Promise<NotificationRecord[]>;
  /** Newest first. */
  listNotifications(basket?: string, limit?: number): Promise<NotificationRecord[]>;
  updateDelivery(id: string, target: string, delivery: Delivery): Promise<void>;
  /**
   * Take a delivery for one outbox round, when it is `pending` and no other round holds it (or its claim lapsed):
   * returns the delivery as stored now, or undefined (sent or given up meanwhile, held by another round, unknown).
   * Optional: a store that several processes deliver from has it (PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED with
   * a lease). Without it the process is the only one delivering (lowdb, memory) and deliverPending claims nothing.
   * updateDelivery leaves a claim as it is; releaseDelivery ends it.
   */
  claimDelivery?(id: string, target: string, claim: DeliveryClaim): Promise<Delivery | undefined>;
  /** End the claim of `owner` on a delivery (its outcome is recorded); another owner's claim is left alone. */
  releaseDelivery?(id: string, target: string, owner: string): Promise<void>;
  /**
   * Extend `claim.owner`'s claim to `claim.leaseMs` from now, while its send runs: true when it still held the
   * delivery, false when the claim had lapsed and another round took it (or the delivery is no longer pending).
   */
  renewDelivery?(id: string, target: string, claim: DeliveryClaim): Promise<boolean>;
  acknowledge(id: string, ack: NonNullable<NotificationRecord['acknowledged']>): Promise<NotificationRecord | undefined>;
  /**
   * Remember `key` until `expiresAtMs`: true the first time it is given, false while it is remembered, whichever
   * process gave it before. Optional: a store several processes share has it (PostgreSQL: the Slack adapter refuses a
   * signed request another replica has seen); one process remembers on its own (the adapter's in-memory guard).
   */
  firstSeen?(key: string, expiresAtMs: number): Promise<boolean>;

  appendAudit(entry: AuditEntry): Promise<void>;
  listAudit(opts?: { basket?: string; limit?: number }): Promise<AuditEntry[]>;
}
