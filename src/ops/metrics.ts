import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Regime } from '../domain/types.js';

const REGIMES: Regime[] = ['calm', 'converging', 'stressed', 'decoupling'];

/** One tick's outcome, as the watcher reports it (src/scheduler/watcher.ts TickReport). */
export interface TickOutcome {
  baskets: { basket: string; regime?: string; score?: number; notifications: string[]; error?: string; errorKind?: string }[];
  delivery: { sent: number; failed: number; waiting: number; gaveUp: number; deferred: number };
}

/**
 * The Prometheus metrics of `corrwatch start` (prom-client, served at GET /metrics): ticks and their duration, each
 * basket's regime and convergence evidence, alerts by kind, deliveries by outcome, basket failures, plus Node's
 * process metrics. One registry per instance, so tests and several watchers in a process do not share counters.
 */
export class OpsMetrics {
  readonly registry = new Registry();
  private readonly ticks = new Counter({ name: 'corrwatch_ticks_total', help: 'Watcher ticks, by outcome (ok, skipped: the previous one was still running, store_failed: the store could not be written).', labelNames: ['outcome'], registers: [this.registry] });
  private readonly tickSeconds = new Histogram({ name: 'corrwatch_tick_duration_seconds', help: 'Wall-clock duration of a completed tick.', buckets: [0.05, 0.1, 0.3, 1, 3, 10, 30, 100], registers: [this.registry] });
  private readonly regime = new Gauge({ name: 'corrwatch_basket_regime', help: "1 for each basket's current regime, 0 for the others.", labelNames: ['basket', 'regime'], registers: [this.registry] });
  private readonly evidence = new Gauge({ name: 'corrwatch_basket_evidence', help: 'Convergence evidence √(2·CUSUM) of each basket at its last bar (an alert opens at its enterZ).', labelNames: ['basket'], registers: [this.registry] });
  private readonly alerts = new Counter({ name: 'corrwatch_alerts_total', help: 'Alert notifications decided, by basket and kind (firing, escalated, resolved, stale, recovered).', labelNames: ['basket', 'kind'], registers: [this.registry] });
  private readonly deliveries = new Counter({ name: 'corrwatch_deliveries_total', help: 'Deliveries by the outbox, by outcome (sent, failed: tried again next tick, gave_up: refused for good or too old to post).', labelNames: ['outcome'], registers: [this.registry] });
  private readonly attempts = new Counter({ name: 'corrwatch_notification_attempts_total', help: 'Delivery attempts by platform, outcome (sent, failed: tried again later, gave_up) and reason (ok, retryable, permanent).', labelNames: ['platform', 'outcome', 'reason'], registers: [this.registry] });
  private readonly waiting = new Gauge({ name: 'corrwatch_deliveries_waiting', help: 'Deliveries waiting in the outbox after the last tick.', registers: [this.registry] });
  private readonly basketErrors = new Counter({ name: 'corrwatch_basket_errors_total', help: 'Ticks in which a basket failed, by basket and kind (the market source\'s or data error\'s code, or internal).', labelNames: ['basket', 'kind'], registers: [this.registry] });
  private readonly commandSeconds = new Histogram({ name: 'corrwatch_command_duration_seconds', help: 'Time to answer a command, by command, platform and outcome.', labelNames: ['command', 'platform', 'outcome'], buckets: [0.01, 0.05, 0.1, 0.3, 1, 3, 10, 30], registers: [this.registry] });
  private readonly storeFailures = new Counter({ name: 'corrwatch_store_failures_total', help: 'Ticks that could not write the store, by the store error code (io: disk full, permissions; invalid).', labelNames: ['code'], registers: [this.registry] });
  private readonly storeBytes = new Counter({ name: 'corrwatch_store_write_bytes_total', help: 'Bytes written to the store file.', registers: [this.registry] });
  private readonly storeSeconds = new Histogram({ name: 'corrwatch_store_write_duration_seconds', help: 'Time one store write takes (serialise, write, rename).', buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2], registers: [this.registry] });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'corrwatch_' });
  }

  recordTick(t: TickOutcome, seconds: number): void {
    this.ticks.inc({ outcome: 'ok' });
    this.tickSeconds.observe(seconds);
    for (const b of t.baskets) {
      if (b.regime) for (const r of REGIMES) this.regime.set({ basket: b.basket, regime: r }, r === b.regime ? 1 : 0);
      if (b.score !== undefined && Number.isFinite(b.score)) this.evidence.set({ basket: b.basket }, b.score);
      for (const kind of b.notifications) this.alerts.inc({ basket: b.basket, kind });
      if (b.error && !b.error.startsWith('warming up')) this.basketErrors.inc({ basket: b.basket, kind: b.errorKind ?? 'internal' });
    }
    this.recordOutbox(t.delivery);
  }

  /** One round of the outbox: a tick's, or one run between ticks. */
  recordOutbox(d: TickOutcome['delivery']): void {
    if (d.sent) this.deliveries.inc({ outcome: 'sent' }, d.sent);
    if (d.failed) this.deliveries.inc({ outcome: 'failed' }, d.failed);
    if (d.gaveUp) this.deliveries.inc({ outcome: 'gave_up' }, d.gaveUp);
    this.waiting.set(d.waiting);
  }

  recordDelivery(a: { platform: string; outcome: string; reason: string }): void {
    this.attempts.inc({ platform: a.platform, outcome: a.outcome, reason: a.reason });
  }

  recordCommand(command: string, platform: string, outcome: string, seconds: number): void {
    this.commandSeconds.observe({ command, platform, outcome }, seconds);
  }

  recordStoreWrite(bytes: number, seconds: number): void {
    this.storeBytes.inc(bytes);
    this.storeSeconds.observe(seconds);
  }

  /** A tick that failed because the store could not be written (by the store error's code: io, invalid). */
  recordStoreFailure(code: string): void {
    this.ticks.inc({ outcome: 'store_failed' });
    this.storeFailures.inc({ code });
  }

  recordSkippedTick(): void {
    this.ticks.inc({ outcome: 'skipped' });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
