import type { Invocation, Platform } from './invocation.js';
import type { Logger } from './logger.js';
import type { OpsEndpoints } from './ops.js';
import type { Clock, MarketSource } from './ports.js';
import type { Reply } from './reply.js';

/** How a command ended (also the `outcome` label of the command-latency metric). */
export type CommandOutcome = 'ok' | 'user_error' | 'refused' | 'source_error' | 'internal_error';

/** What running one command line returns (commands/dispatch.ts): never a thrown error. */
export interface DispatchResult {
  reply: Reply;
  outcome: CommandOutcome;
  /** The command that ran (`basket add`), when one was found. */
  command?: string;
  errorId?: string;
}

/** What an alert button click returns: the command's result, and for Acknowledge who acknowledged and when. */
export interface ActionResult extends DispatchResult {
  /** Set when an Acknowledge click succeeded: for updating the alert message. */
  acknowledged?: { by: string; platform: Platform; at: number };
}

/** Who counts as a corrwatch admin on each chat platform (the `admins` section of the config). */
export interface ChatAdmins {
  readonly slack: readonly string[];
  readonly discord: { readonly roles: string[]; readonly users: string[] };
}

/**
 * The port every chat adapter talks to (src/app/runtime.ts implements it): run a command line for an invocation
 * (same dispatch as the CLI and console), handle alert buttons by dispatching the same commands (so permission
 * checks and the audit entry happen in one place), and report health. Adapters translate platform payloads to an
 * Invocation and render the Reply; nothing else. Only what adapters read is here: the app's runtime has more.
 */
export interface ChatRuntime {
  /** The part of the configuration adapters read. */
  readonly config: { readonly admins: ChatAdmins };
  readonly log: Logger;
  readonly clock: Clock;
  /**
   * For autocomplete: the baskets there are. `firstSeen` (Store.firstSeen) where several processes share the store:
   * the Slack adapter's replay guard asks it, so a request replayed to another replica is refused too.
   */
  readonly store: { listBaskets(): Promise<readonly { name: string }[]>; firstSeen?(key: string, expiresAtMs: number): Promise<boolean> };
  readonly market: MarketSource;
  run(inv: Invocation, line: string | string[]): Promise<DispatchResult>;
  handleAction(inv: Invocation, actionId: string): Promise<ActionResult>;
  /** GET /healthz and GET /metrics, served by whichever HTTP server runs (Slack's, or one of corrwatch's own). */
  readonly ops: OpsEndpoints;
}
