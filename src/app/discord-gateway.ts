import { discordRestNotifier, readDiscordEnv, startDiscordAdapter, type DiscordAdapter, type DiscordAdapterOptions } from '../adapters/discord/index.js';
import type { Notifier } from '../alerts/notifier.js';
import type { ChatRuntime } from '../domain/chat-runtime.js';
import type { Logger } from '../log.js';
import type { PostgresTarget } from '../store/postgres/connection.js';
import { lockKey, SessionLock } from '../store/postgres/session-lock.js';

export interface DiscordReplicaOptions extends DiscordAdapterOptions {
  /** How often a replica without the gateway tries to take it (default 5 s). */
  retryMs?: number;
  /** How often the gateway's holder checks its lock's connection (default 5 s). */
  checkMs?: number;
}

export interface DiscordReplica {
  /** Posts alerts from any replica: through the gateway's client where it runs, over REST elsewhere. */
  notifier: Notifier;
  /** Whether this replica runs the Discord gateway now. */
  holdsGateway(): boolean;
  /** The lock taking (tries, and the holder's checks); for tests. */
  readonly lock: SessionLock;
  stop(): Promise<void>;
}

/** The advisory lock key of a bot's gateway: one per bot token (only a hash of the token reaches the database). */
export function discordGatewayLockKey(token: string): bigint {
  return lockKey(`corrwatch discord gateway\0${token}`);
}

/**
 * Discord with several replicas on one PostgreSQL store (issue 13). Discord gives a bot one gateway session (no
 * sharding here): two replicas connected at once would both receive every slash command and button click. So the
 * replica that holds a session-level advisory lock (SessionLock, keyed by the bot token) runs the gateway, the bot
 * proper (startDiscordAdapter); the others try to take the lock every `retryMs` and start the gateway when they get
 * it, which is when the holder's database session ends (the process died or stopped; its connection failed). Every
 * replica posts the alerts it is given: the holder through its client, the others over REST (discordRestNotifier).
 * Start fails, as without replicas, on a bad env variable or, on the replica that takes the gateway at start, on a
 * token Discord rejects.
 */
export async function startDiscordReplica(
  runtime: ChatRuntime,
  env: Record<string, string | undefined>,
  log: Logger,
  target: PostgresTarget,
  opts: DiscordReplicaOptions = {},
): Promise<DiscordReplica> {
  const cfg = readDiscordEnv(env);
  const rest = discordRestNotifier(env, log, { restTimeoutMs: opts.restTimeoutMs, restRetries: opts.restRetries });
  let adapter: DiscordAdapter | undefined;
  const lock = new SessionLock({
    target,
    key: discordGatewayLockKey(cfg.token),
    what: 'the Discord gateway',
    log,
    retryMs: opts.retryMs,
    checkMs: opts.checkMs,
    applicationName: 'corrwatch discord gateway',
    onAcquired: async () => {
      adapter = await startDiscordAdapter(runtime, env, opts);
    },
    onLost: async () => {
      const running = adapter;
      adapter = undefined;
      await running?.stop();
    },
  });
  let holds: boolean;
  try {
    holds = await lock.start();
  } catch (e) {
    await rest.stop();
    throw e;
  }
  if (holds) log.info('discord gateway: this replica holds it (PostgreSQL advisory lock)');
  else log.info('discord gateway: another replica holds it; this one posts alerts over REST and takes the gateway over if that one stops', { retryMs: opts.retryMs ?? 5_000 });
  return {
    notifier: {
      platform: 'discord',
      send: (channelId, message) => (adapter?.notifier ?? rest.notifier).send(channelId, message),
    },
    holdsGateway: () => adapter !== undefined,
    lock,
    async stop() {
      await lock.stop();
      await rest.stop();
    },
  };
}
