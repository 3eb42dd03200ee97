import type { Reply } from '../src/domain/reply.js';
import type { Invocation } from '../src/domain/invocation.js';
import type { Clock, MarketSource } from '../src/domain/ports.js';
import type { Config } from '../src/config/schema.js';
import type { Logger } from '../src/log.js';
import type { Services } from './services.js';
import type { CsvExport } from './csv-export.js';

/**
 * Argument types. Each has one validator/normaliser in parse.ts and one help wording, so every surface
 * (CLI, console, Slack text, Discord options) accepts and explains the same thing.
 */
export type ArgType =
  | 'symbol' // BTC, ETH/BTC (upper-cased)
  | 'basket' // lowercase name
  | 'window' // 60 | 30d | all (kept as text; converted with the timeframe by the handler)
  | 'method' // pearson | spearman
  | 'timeframe' // 1m 5m 1h 4h 1d
  | 'time' // ISO-8601 or epoch ms -> number
  | 'duration' // 4h, 2d -> number (ms)
  | 'source' // ccxt:binance | csv:<path> | sim:<seed>
  | 'file' // a path on this machine (CLI only)
  | 'int'
  | 'word' // any single token
  | 'text'; // the rest of the line

export type ArgValue = string | number | boolean | string[];
export type ParsedArgs = Record<string, ArgValue | undefined>;

export interface ArgSpec {
  name: string;
  type: ArgType;
  description: string;
  /** Positional (given in order) rather than a named option (`--name value` / `name:value`). */
  positional?: boolean;
  required?: boolean;
  /** Takes every remaining positional token (at least one when required). */
  variadic?: boolean;
  /** Shown in help; applied when the argument is absent. */
  default?: string;
  choices?: readonly string[];
  /** A boolean switch (`--json`): no value. */
  flag?: boolean;
  /** Only offered on the CLI (e.g. --json, --chart FILE, --source): chat users cannot point the bot at files. */
  cliOnly?: boolean;
  /** What Discord autocompletes for it. */
  autocomplete?: 'symbol' | 'basket';
}

export type Surface = 'chat' | 'cli';

export interface CommandSpec {
  name: string;
  summary: string;
  args: ArgSpec[];
  /** Refused to non-admins, with a private message; logged. */
  adminOnly: boolean;
  examples: string[];
  /** Subcommands (`basket add ...`): the first token chooses one; each has its own args and admin flag. */
  subcommands?: CommandSpec[];
  /** Where it is offered. Default: everywhere. */
  surfaces?: Surface[];
  /**
   * Statistics over history and a chart: in chat it runs in the query worker pool (src/app/query-pool.ts), off the
   * thread that acks slash commands and answers /healthz (issue 11 §2).
   */
  heavy?: boolean;
  /**
   * What `--csv FILE` writes on the CLI and `/corr export ...` attaches in chat: rows built from the reply's `data`
   * (commands/csv-export.ts). A spec with it lists `csvArg` in its args.
   */
  csv?: CsvExport;
  handler?: (ctx: CommandContext, args: ParsedArgs) => Promise<Reply>;
}

/** Everything a handler may use: who asked, config, ports. Built by each adapter; tests pass fakes. */
export interface CommandContext {
  invocation: Invocation;
  config: Config;
  clock: Clock;
  log: Logger;
  /** The market source for this invocation (`--source` on the CLI may override the configured one). */
  market: MarketSource;
  services: Services;
  /** Whether to render chart PNGs (the CLI renders only with --chart FILE). */
  renderCharts: boolean;
  /** Surface the command came from. */
  surface: Surface;
  /** Progress of long runs (backtest), e.g. a bar on stderr. */
  progress?: (done: number, total: number) => void;
}

export type { Clock, MarketSource, Reply, Invocation };
