import { userInfo } from 'node:os';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { commands, dispatch } from '../commands/index.js';
import { overviewHelpReply } from '../commands/help-text.js';
import type { CommandContext } from '../commands/types.js';
import { DEFAULT_CONFIG_PATH, loadConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { ConfigError, UserError } from './domain/errors.js';
import { systemClock, type Clock } from './domain/ports.js';
import { createLogger, logFormatFor, logLevelFor, type Logger } from './log.js';
import { renderReplyText } from './render/text.js';
import { buildMarketSource } from './app/market.js';
import { version } from './app/version.js';
import { consoleCommand, discordRegisterCommand, slackManifestCommand, startCommand } from '../commands/process-commands.js';
import { parseArgs } from '../commands/parse.js';
import { commandHelpReply } from '../commands/help-text.js';
import { createRuntime } from './app/runtime.js';
import { chatTokensIn } from './app/chat-adapters.js';
import { isValidSchedule } from './scheduler/cron.js';
import { parseDuration } from './domain/timeframe.js';
import { StoreError } from './store/errors.js';
import type { Store } from './store/types.js';
import { chooseStore, createStore, storeTransfer } from './app/store.js';
import type { DatabaseSchema } from '../commands/services.js';
import { storeFilePath } from './store/paths.js';
import { seedBaskets } from './config/baskets.js';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  clock: Clock;
  /** Logs are readable lines on a terminal, JSON otherwise (LOG_FORMAT overrides). */
  stderrIsTTY?: boolean;
}

const defaultIo: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  clock: systemClock,
  stderrIsTTY: process.stderr.isTTY === true,
};

/** The value of `--name X` / `--name=X` in argv, if present (read before dispatch for --source). */
function optionValue(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) return argv[i + 1];
    if (argv[i].startsWith(`--${name}=`)) return argv[i].slice(name.length + 3);
  }
  return undefined;
}

function oneLine(message: string): string {
  return message.split('\n').join('; ');
}

/**
 * `corrwatch <command> [args] [--options]`. Returns the exit code: 0 ok, 2 bad input (one line on stderr),
 * 1 failure of the market source or of corrwatch itself.
 */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const json = argv.includes('--json');
  if (argv[0] === '--version' || argv[0] === '-v') {
    io.stdout(version() + '\n');
    return 0;
  }
  // Help works with a broken configuration (it is how one finds out how to fix it): it reads the shipped defaults
  // and says what is wrong with the configuration in use.
  const wantsHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h');
  let config: Config;
  let configProblem: string | undefined;
  try {
    config = loadConfig(io.env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    if (!wantsHelp) {
      io.stderr(`corrwatch: ${e.message}\n`);
      return 2;
    }
    configProblem = e.message;
    config = loadConfig({});
  }
  if (configProblem) io.stderr(`corrwatch: (help shown with the shipped defaults) ${configProblem}\n`);
  const format = logFormatFor(io.env, io.stderrIsTTY ?? false);
  const configured = logLevelFor(io.env, config.log.level);
  const log: Logger = createLogger(json ? 'warn' : configured === 'info' ? 'warn' : configured, (l) => io.stderr(l + '\n'), format);
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    io.stdout(renderReplyText(overviewHelpReply(commands, true, 'cli')) + '\n\n' + cliEnvironmentHelp(io.env) + '\n');
    return 0;
  }
  if (argv[0] === 'start') return runStart(argv.slice(1), config, io);
  if (argv[0] === 'console') return runConsole(argv.slice(1), config, log, io);
  if (argv[0] === 'slack-manifest' || argv[0] === 'discord-register') return runPlatformTool(argv, io);
  let ctx: CommandContext;
  let store: Store | undefined;
  let database: (DatabaseSchema & { close(): Promise<void> }) | undefined;
  const closeStores = async () => {
    await store?.close();
    await database?.close();
  };
  try {
    // Baskets and alert state live in the store: commands that edit them create it; others read it when it exists
    // (else baskets come from the config). Pure queries on symbols never touch it. DATABASE_URL or store.url puts
    // the store in PostgreSQL (src/app/store.ts), whose tables `db migrate` (or start) creates; the candle cache too.
    const choice = chooseStore(config, io.env);
    const market = buildMarketSource(config, optionValue(argv, 'source'), io.clock, log, choice);
    const command = argv[0]?.replace(/^\//, '');
    const stored = choice.kind === 'postgres' || existsSync(storeFilePath(config.dataDir));
    if (['basket', 'alerts'].includes(command) || (['regime', 'matrix', 'backtest', 'audit'].includes(command) && stored)) {
      store = (await createStore(choice, config.store)).store;
      await store.open(seedBaskets(config, io.clock.now()));
    }
    if (command === 'db' && choice.kind === 'postgres') database = (await createStore(choice, config.store)).postgres;
    const wantsChart = optionValue(argv, 'chart') !== undefined;
    // A chart file that cannot be written is a usage error, found before the query runs (not an exit 1 after it).
    // The same for a CSV file (--csv FILE on matrix, backtest, alerts history, forecast, audit).
    for (const [option, code] of [['chart', 'bad_chart_path'], ['csv', 'bad_csv_path']] as const) {
      const file = optionValue(argv, option);
      if (!file) continue;
      const dir = dirname(resolve(file));
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(code, `--${option} ${file}: the folder ${dir} does not exist`);
    }
    ctx = {
      invocation: { platform: 'cli', userId: safeUser(), channelId: 'cli', isAdmin: true },
      config,
      clock: io.clock,
      log,
      market,
      services: {
        version: version(),
        store,
        database,
        charts: wantsChart ? (await import('./chart/index.js')).chartRenderer : undefined,
        transfer: command === 'store' ? storeTransfer(choice, config.store) : undefined,
      },
      renderCharts: wantsChart,
      surface: 'cli',
      progress: progressBar(io),
    };
  } catch (e) {
    await closeStores().catch(() => undefined);
    return setupFailed(e, io);
  }
  const result = await dispatch(commands, argv.map((a) => (a === '-h' ? '--help' : a)), ctx);
  // Closed whatever the outcome: a PostgreSQL pool left open would hold the process up.
  await closeStores().catch(() => undefined);
  if (result.outcome !== 'ok') {
    io.stderr(`corrwatch: ${oneLine(result.reply.text ?? result.reply.title)}\n`);
    return result.outcome === 'user_error' || result.outcome === 'refused' ? 2 : 1;
  }
  const chartPath = optionValue(argv, 'chart');
  if (chartPath && result.reply.chart) {
    try {
      writeFileSync(chartPath, result.reply.chart.png);
    } catch (e) {
      io.stderr(`corrwatch: --chart ${chartPath}: cannot write the chart (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
      return 2;
    }
  }
  const csvPath = optionValue(argv, 'csv');
  if (csvPath && result.reply.attachment) {
    try {
      writeFileSync(csvPath, result.reply.attachment.content);
    } catch (e) {
      io.stderr(`corrwatch: --csv ${csvPath}: cannot write the CSV (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
      return 2;
    }
  }
  if (json && result.reply.data !== undefined) io.stdout(JSON.stringify(result.reply.data, null, 2) + '\n');
  else io.stdout(renderReplyText(result.reply) + '\n');
  return 0;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'cli';
  }
}

/** A one-line progress bar on stderr, redrawn in place; only on a terminal. */
function progressBar(io: CliIo): ((done: number, total: number) => void) | undefined {
  if (io.stderr !== defaultIo.stderr || !process.stderr.isTTY) return undefined;
  return (done, total) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    io.stderr(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} bars`);
    if (done === total) io.stderr('\n');
  };
}

/** `corrwatch start`: run until SIGINT/SIGTERM, then stop cleanly (finish the running tick, close the store). */
async function runStart(rest: string[], config: Config, io: CliIo): Promise<number> {
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(renderReplyText(commandHelpReply(startCommand, 'start', true, 'cli')) + '\n');
    return 0;
  }
  // The long-running process logs at the configured level (queries log only warnings and errors).
  const log = createLogger(logLevelFor(io.env, config.log.level), (l) => io.stderr(l + '\n'), logFormatFor(io.env, io.stderrIsTTY ?? false));
  let args;
  let graceMs: number;
  try {
    args = parseArgs(startCommand, rest, 'cli');
    graceMs = stopGraceMs(io.env);
  } catch (e) {
    if (e instanceof UserError) {
      io.stderr(`corrwatch: ${oneLine(e.message)}\n`);
      return 2;
    }
    throw e;
  }
  const schedule = args.schedule as string | undefined;
  if (schedule !== undefined && !isValidSchedule(schedule)) {
    io.stderr(`corrwatch: --schedule: expected a cron expression like "1 * * * *" or "*/5 * * * * *", got "${schedule}"\n`);
    return 2;
  }
  let running: import('./app/start.js').Running;
  // A stop asked for during start-up (the first tick replays history) is honoured too: startWatcher gives the first
  // tick the grace period, then aborts it, and we stop as soon as it returns.
  const stopRequested = new AbortController();
  const onSignal = () => {
    // A second Ctrl-C (or SIGTERM) while stopping: stop at once (every store write is atomic; the tick is redone).
    if (stopRequested.signal.aborted) process.exit(130);
    stopRequested.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // Alerts and tick lines go to the console REPL when one is open (interactive terminal, no chat token).
    let print: (text: string) => void = io.stdout;
    const chat = chatTokensIn(io.env);
    try {
      // Loaded here, not at the top: --help and text-only queries need neither the watcher nor charts nor chat SDKs.
      const { startWatcher } = await import('./app/start.js');
      const { startChatAdapters } = await import('./app/chat-adapters.js');
      running = await startWatcher(
        {
          config,
          log,
          source: args.source as string | undefined,
          schedule,
          speed: args.speed as number | undefined,
          write: (t) => print(t),
          clock: io.clock,
          // /healthz and /metrics on PORT (Slack's server serves them when it runs).
          httpPort: io.env.PORT ? Number(io.env.PORT) : 3000,
          httpHost: io.env.HOST,
          env: io.env,
          stopRequested: stopRequested.signal,
          stopGraceMs: graceMs,
        },
        (runtime) => startChatAdapters(runtime, io.env, log, chooseStore(config, io.env)),
      );
    } catch (e) {
      if (e instanceof StoreError || e instanceof UserError || e instanceof ConfigError || (e instanceof Error && /EnvError$/.test(e.name))) {
        io.stderr(`corrwatch: ${e.message}\n`);
        return 2;
      }
      if (e instanceof Error) {
        // A chat platform refusing to start (bad token, unreachable): an operator error, never a stack trace.
        io.stderr(`corrwatch: could not start: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
    io.stdout(`corrwatch ${version()} watching ${(await running.store.listBaskets()).map((b) => b.name).join(', ') || 'no baskets'}${chat.length ? ` with ${chat.join(' and ')}` : ''}; Ctrl-C to stop.\n`);
    const interactive = !chat.length && !args['no-console'] && process.stdin.isTTY === true;
    const startConsole = interactive ? (await import('./adapters/console/console-adapter.js')).startConsole : undefined;
    await new Promise<void>((resolve) => {
      if (stopRequested.signal.aborted) return resolve();
      stopRequested.signal.addEventListener('abort', () => resolve(), { once: true });
      if (startConsole) {
        const session = startConsole({
          input: process.stdin,
          output: process.stdout,
          dataDir: config.dataDir,
          context: () => running.runtime.context({ platform: 'console', userId: 'console', channelId: 'console', isAdmin: true }),
        });
        print = (t) => session.print(t);
        // Closing the console (Ctrl-D) stops corrwatch like a signal; the promise never rejects.
        void session.closed.then(() => resolve());
      }
    });
    io.stdout('stopping...\n');
    await running.stop(graceMs);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * How long a stop waits for the tick in flight before aborting it: CORRWATCH_STOP_GRACE (a duration like 10s),
 * default 30 s. Keep it under the orchestrator's own kill timeout (docker stop: 10 s unless --time says more).
 */
function stopGraceMs(env: Record<string, string | undefined>): number {
  const text = env.CORRWATCH_STOP_GRACE?.trim();
  return text ? parseDuration(text, 'CORRWATCH_STOP_GRACE') : 30_000;
}

/** `slack-manifest URL` and `discord-register`: platform set-up, no store or market needed. */
async function runPlatformTool(argv: string[], io: CliIo): Promise<number> {
  const spec = argv[0] === 'slack-manifest' ? slackManifestCommand : discordRegisterCommand;
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(renderReplyText(commandHelpReply(spec, spec.name, true, 'cli')) + '\n');
    return 0;
  }
  try {
    const args = parseArgs(spec, argv.slice(1), 'cli');
    if (spec === slackManifestCommand) {
      const { slackManifest } = await import('./adapters/slack/index.js');
      io.stdout(slackManifest(args.url as string, { socketMode: args['socket-mode'] === true }));
      return 0;
    }
    const { registerDiscordCommands } = await import('./adapters/discord/index.js');
    const r = await registerDiscordCommands(io.env, commands);
    io.stdout(`registered ${r.count} commands ${r.scope === 'guild' ? `to server ${io.env.DISCORD_GUILD_ID}` : 'globally (they may take up to an hour to appear)'}\n`);
    return 0;
  } catch (e) {
    io.stderr(`corrwatch: ${oneLine(e instanceof Error ? e.message : String(e))}\n`);
    return e instanceof UserError || (e instanceof Error && /Env|env|DISCORD_|SLACK_|https/.test(e.message)) ? 2 : 1;
  }
}

/** `corrwatch console`: the REPL on its own (no watcher), over the same store, market source and charts. */
async function runConsole(rest: string[], config: Config, log: Logger, io: CliIo): Promise<number> {
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(renderReplyText(commandHelpReply(consoleCommand, 'console', true, 'cli')) + '\n');
    return 0;
  }
  let store: Store;
  let market;
  try {
    const args = parseArgs(consoleCommand, rest, 'cli');
    const choice = chooseStore(config, io.env);
    market = buildMarketSource(config, args.source as string | undefined, io.clock, log, choice);
    store = (await createStore(choice, config.store)).store;
    await store.open(seedBaskets(config, io.clock.now()));
  } catch (e) {
    return setupFailed(e, io);
  }
  const { chartRenderer } = await import('./chart/index.js');
  const { startConsole } = await import('./adapters/console/console-adapter.js');
  const runtime = createRuntime({ config, log, clock: io.clock, store, market, charts: chartRenderer, version: version() });
  const session = startConsole({
    input: process.stdin,
    output: process.stdout,
    dataDir: config.dataDir,
    context: () => runtime.context({ platform: 'console', userId: 'console', channelId: 'console', isAdmin: true }),
  });
  await session.closed;
  await store.close();
  return 0;
}

/** What `corrwatch --help` adds for a terminal: the environment it reads, where the configuration is, exit codes. */
function cliEnvironmentHelp(env: Record<string, string | undefined>): string {
  return [
    'Configuration:',
    `  ${DEFAULT_CONFIG_PATH} (commented key by key)${env.CORRWATCH_CONFIG ? `, with ${env.CORRWATCH_CONFIG} merged over it` : ''}`,
    'Environment:',
    '  CORRWATCH_CONFIG     a YAML file merged over the defaults',
    '  CORRWATCH_DATA_DIR   the store, candle cache and charts (config dataDir)',
    '  CORRWATCH_SOURCE     the market source (config market.source): ccxt:<exchange>, csv:<path> or sim:<seed>',
    '  LOG_LEVEL            debug | info | warn | error | silent',
    '  LOG_FORMAT           json | pretty (default: pretty on a terminal, JSON otherwise)',
    '  CORRWATCH_STOP_GRACE how long a stopping start waits for the tick in flight before aborting it (default 30s)',
    '  DATABASE_URL         a PostgreSQL store instead of the files: postgres://user:password@host:5432/db (secret)',
    '  PGPASSWORD           the password for the config\'s store.url (secret)',
    '  PORT, HOST           where start serves /healthz and /metrics (and Slack in HTTP mode); PORT default 3000',
    '  SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, DISCORD_TOKEN, DISCORD_APPLICATION_ID   chat (secrets)',
    'Exit codes:',
    '  0 ok · 2 bad input or configuration (one line on stderr) · 1 the market source or corrwatch failed',
  ].join('\n');
}

/** A user's or the store's error while setting a command up: one line on stderr and exit 2; anything else is thrown. */
function setupFailed(e: unknown, io: CliIo): number {
  if (e instanceof UserError || e instanceof StoreError || e instanceof ConfigError) {
    io.stderr(`corrwatch: ${oneLine(e.message)}\n`);
    return 2;
  }
  throw e;
}
