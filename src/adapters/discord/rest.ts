import { createRequire } from 'node:module';
import type { RESTOptions } from 'discord.js';

type Dispatcher = NonNullable<RESTOptions['agent']>;
interface UndiciModule {
  Agent: new (opts?: object) => Dispatcher & { destroy(): Promise<void> };
}

/**
 * The undici that @discordjs/rest itself imports, resolved the way Node resolves it from that package (today a
 * nested 6.x, while @slack/bolt and ccxt bring 7.x).
 *
 * Why: undici keeps ONE process-wide default dispatcher (a global symbol). Whichever undici loads first installs
 * its Agent there; once @slack/bolt or ccxt has loaded undici 7, @discordjs/rest's undici 6 `request()` hands
 * its multipart bodies to a 7.x Agent, and every request that uploads a file fails (`TypeError: action is not a
 * function`) or hangs until the REST timeout. An Agent from discord's own undici, passed as the REST `agent`,
 * never touches the global one, whatever else the process loads and in whatever order.
 */
function discordUndici(): UndiciModule {
  const here = createRequire(import.meta.url);
  const rest = createRequire(here.resolve('discord.js')).resolve('@discordjs/rest');
  return createRequire(rest)('undici') as UndiciModule;
}

export interface DiscordRestSettings {
  /** REST base (discord.js `rest.api`); default https://discord.com/api. */
  apiUrl?: string;
  /** Per-request timeout in ms (default 10 s). */
  timeoutMs?: number;
  /** Retries of 5xx answers and network errors (429s are always waited out and retried). Default 1. */
  retries?: number;
  /**
   * `own` (default): a private undici Agent, see discordUndici. `global` is what discord.js does on its own; it is
   * here only so the conflict test can show that the process it builds really has the problem.
   */
  dispatcher?: 'own' | 'global';
}

export interface DiscordRest {
  options: Partial<RESTOptions>;
  /** Closes the private agent's sockets. */
  close(): Promise<void>;
}

export function discordRest(settings: DiscordRestSettings = {}): DiscordRest {
  const options: Partial<RESTOptions> = { timeout: settings.timeoutMs ?? 10_000, retries: settings.retries ?? 1 };
  if (settings.apiUrl) options.api = settings.apiUrl;
  if (settings.dispatcher === 'global') return { options, close: async () => {} };
  const agent = new (discordUndici().Agent)({ connect: { timeout: settings.timeoutMs ?? 10_000 } });
  options.agent = agent;
  return { options, close: () => agent.destroy() };
}
