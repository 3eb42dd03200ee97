import type { ChartRenderer } from '../src/chart/index.js';
import type { Store } from '../src/store/types.js';

/** Longer-lived pieces a handler may use beyond the market source. */
export interface Services {
  readonly version: string;
  /** The store (baskets, subscriptions, alert state, audit). Absent in bare CLI queries: baskets then come from config. */
  store?: Store;
  /** Chart rendering (Chart.js on @napi-rs/canvas); absent when charts are not wanted. */
  charts?: ChartRenderer;
}
