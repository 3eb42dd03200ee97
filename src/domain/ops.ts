/** What GET /healthz answers. */
export interface HealthReport {
  /** 200 when healthy, 503 when not. */
  status: 200 | 503;
  body: {
    /** `store_failing`: the last tick could not write the store (disk full, permissions): an operator's problem. */
    status: 'ok' | 'starting' | 'stale' | 'store_failing';
    version: string;
    /** The bar time the last tick evaluated up to (ISO, the watcher's clock), null before the first. */
    lastTickAt: string | null;
    /** Wall-clock seconds since the last tick that completed, null before the first. */
    secondsSinceLastTick: number | null;
    /** The schedule period (seconds) the staleness is measured in. */
    schedulePeriodSeconds: number;
    /** Why it is not ok, in words (absent when ok). */
    reason?: string;
  };
}

/**
 * What the operations endpoints read: the health now and the metrics text. Served by whichever HTTP server runs
 * (Slack's, or one of corrwatch's own); src/ops/routes.ts turns it into request handlers.
 */
export interface OpsEndpoints {
  health(): HealthReport;
  metrics(): Promise<{ contentType: string; body: string }>;
}
