import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver } from '@slack/bolt';
import type { Notifier } from '../../alerts/notifier.js';
import type { ChatRuntime } from '../../domain/chat-runtime.js';
import { boltLogger } from './bolt-logger.js';
import { ChannelQueue } from './channel-queue.js';
import { readSlackEnv, type SlackEnv } from './env.js';
import { HEALTH_PATH, METRICS_PATH, healthRoute, metricsRoute, opsHandler } from '../../ops/routes.js';
import { EVENTS_PATH } from './manifest.js';
import { slackNotifier } from './notifier.js';
import { createPoster } from './poster.js';
import { registerHandlers } from './handlers.js';
import { SlackReplayGuard } from './replay-guard.js';
import { classifySlackError, describeFailure, TOKEN_HINT } from './slack-errors.js';

export interface SlackAdapterOptions {
  /** Interface to listen on (HTTP mode and /healthz); default all. */
  host?: string;
  /** Overrides PORT; 0 picks a free port. */
  port?: number;
  /** Spacing of posts into one channel; default 1000 ms (Slack: about one message a second per channel). */
  channelIntervalMs?: number;
  /** The clock the replay guard judges request timestamps by (tests); default Date.now. */
  now?: () => number;
  /** How the channel queue tells time and waits (Retry-After, spacing): tests give a virtual clock; default real time. */
  queueClock?: { now: () => number; sleep: (ms: number) => Promise<void> };
  /**
   * How long to wait before sending again a message Slack refused for its image block (a chart uploaded a moment
   * before may not be processed yet; chart-inline.ts); default 1500 ms, on queueClock's sleep when given.
   */
  fileSettleMs?: number;
}

export interface SlackAdapter {
  /** Delivers alerts to Slack channels; give it to the watcher. */
  notifier: Notifier;
  /** The port the HTTP server (Slack requests in HTTP mode, /healthz) listens on. */
  port: number;
  /** Finish the commands and posts under way (bounded), then close the server / socket. */
  stop(): Promise<void>;
}

function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p.then(() => undefined, () => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}

/** An operator message for a failed auth.test at start: which variable to check; never the token itself. */
function startupError(e: unknown, cfg: SlackEnv): Error {
  const f = classifySlackError(e);
  if (f.auth) return new Error(`Slack rejected SLACK_BOT_TOKEN (${f.error}): ${TOKEN_HINT}`);
  const api = cfg.apiUrl ?? 'https://slack.com/api/';
  if (f.error.startsWith('network') || f.error === 'http_404') {
    return new Error(`cannot reach the Slack Web API at ${api} (${f.error}): check the network${cfg.apiUrl ? ' and SLACK_API_URL' : ''}`);
  }
  return new Error(`Slack auth.test failed at ${api}: ${describeFailure(f)}`);
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Bolt's HTTP receiver for the events path, behind SlackReplayGuard: a request dated more than a minute ahead, or a
 * signed request seen before, is answered 401 before Bolt looks at it (and logged); everything else goes to Bolt,
 * which checks the signature and refuses requests older than five minutes. With `seen` (Store.firstSeen, several
 * replicas on one PostgreSQL store behind a load balancer) a signature any replica has seen is refused too; if that
 * check cannot be made (the database unreachable) the request is answered on this replica's own check, and logged.
 */
function guardedReceiver(
  signingSecret: string,
  customRoutes: ConstructorParameters<typeof HTTPReceiver>[0]['customRoutes'],
  logger: ReturnType<typeof boltLogger>,
  log: ChatRuntime['log'],
  now?: () => number,
  seen?: (key: string, expiresAtMs: number) => Promise<boolean>,
): HTTPReceiver {
  const receiver = new HTTPReceiver({ signingSecret, endpoints: EVENTS_PATH, customRoutes, logger });
  const guard = new SlackReplayGuard({ now });
  const bolt = receiver.requestListener;
  const refuse = (req: IncomingMessage, res: ServerResponse, reason: 'replayed' | 'future_timestamp') => {
    log.warn(
      reason === 'replayed'
        ? 'slack: refused a request whose signature was already used (a replay)'
        : 'slack: refused a request dated more than a minute ahead of this host (check the clock, or a forged timestamp)',
      { path: req.url, reason },
    );
    res.writeHead(401, { 'content-type': 'text/plain' }).end('request refused\n');
  };
  receiver.requestListener = (req, res) => {
    if (req.method !== 'POST') return bolt(req, res);
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const timestamp = header('x-slack-request-timestamp');
    const signature = header('x-slack-signature');
    const verdict = guard.check(timestamp, signature);
    if (!verdict.ok) return refuse(req, res, verdict.reason);
    const ts = Number(timestamp);
    if (!seen || !signature || !Number.isFinite(ts)) return bolt(req, res);
    seen(`slack:${signature}`, (ts + guard.windowSeconds) * 1000).then(
      (first) => (first ? bolt(req, res) : refuse(req, res, 'replayed')),
      (e: unknown) => {
        log.warn("slack: could not check the request against the other replicas' (the store failed); answered on this replica's check", { error: e });
        bolt(req, res);
      },
    );
  };
  return receiver;
}

/**
 * Start the Slack adapter: Bolt in HTTP mode (Socket Mode when SLACK_APP_TOKEN is set), the /corr command, the
 * alert buttons, GET /healthz and /metrics (runtime.ops), and a Notifier for the watcher. Verifies the bot token first (auth.test) and
 * throws an error naming the env var to fix.
 */
export async function startSlackAdapter(runtime: ChatRuntime, env: Record<string, string | undefined>, opts: SlackAdapterOptions = {}): Promise<SlackAdapter> {
  const cfg = readSlackEnv(env);
  const log = runtime.log;
  const socketMode = cfg.appToken !== undefined;
  const admins = new Set(runtime.config.admins.slack);
  const customRoutes = [
    { path: HEALTH_PATH, method: ['GET'], handler: healthRoute(runtime.ops) },
    { path: METRICS_PATH, method: ['GET'], handler: metricsRoute(runtime.ops) },
  ];
  const logger = boltLogger(log, env);
  const app = new App({
    token: cfg.botToken,
    ...(socketMode ? { socketMode: true, appToken: cfg.appToken } : { receiver: guardedReceiver(cfg.signingSecret!, customRoutes, logger, runtime.log, opts.now, runtime.store.firstSeen?.bind(runtime.store)) }),
    deferInitialization: true,
    convoStore: false,
    logger,
    clientOptions: {
      ...(cfg.apiUrl ? { slackApiUrl: cfg.apiUrl } : {}),
      // Retries are ours: 429s in the channel queue (after Retry-After), other failures on the next tick.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 30_000,
    },
  });
  const queue = new ChannelQueue({
    minIntervalMs: opts.channelIntervalMs,
    now: opts.queueClock?.now,
    sleep: opts.queueClock?.sleep,
    onRateLimited: ({ channel, what, waitMs, attempt }) => log.warn('Slack rate limit: waiting as asked before retrying', { channel, call: what, retryAfterMs: waitMs, attempt }),
  });
  const poster = createPoster(app.client, queue);
  const sleep = opts.queueClock?.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const settle = () => sleep(opts.fileSettleMs ?? 1500);

  // Work continues after the ack; stop() waits for it.
  const inflight = new Set<Promise<void>>();
  registerHandlers(app, { runtime, poster, admins, log, settle }, (p) => {
    // The handlers log and answer their own failures; one that still rejects is logged here, not left unhandled.
    const tracked: Promise<void> = p
      .catch((e: unknown) => log.error('slack handler failed', { error: e }))
      .finally(() => inflight.delete(tracked));
    inflight.add(tracked);
  });

  try {
    await app.init();
  } catch (e) {
    throw startupError(e, cfg);
  }

  const port = opts.port ?? cfg.port;
  let server: Server;
  try {
    if (socketMode) {
      // Socket Mode needs no public endpoint; /healthz and /metrics still get a small server of their own.
      server = createServer(opsHandler(runtime.ops));
      await listen(server, port, opts.host);
      try {
        await app.start();
      } catch (e) {
        server.close();
        const f = classifySlackError(e);
        if (f.auth) throw new Error(`Slack rejected SLACK_APP_TOKEN (${f.error}): check SLACK_APP_TOKEN, an app-level token (xapp-...) with the connections:write scope`);
        throw new Error(`could not open the Socket Mode connection: ${describeFailure(f)}`);
      }
    } else {
      server = await app.start(opts.host ? { port, host: opts.host } : port);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${port} is already in use: set PORT to a free port`);
    throw e;
  }
  const actualPort = (server.address() as AddressInfo).port;
  log.info('slack adapter started', { mode: socketMode ? 'socket' : 'http', port: actualPort, api: cfg.apiUrl ?? 'https://slack.com/api/' });

  let stopped: Promise<void> | undefined;
  return {
    notifier: slackNotifier(poster, log, settle),
    port: actualPort,
    stop() {
      stopped ??= (async () => {
        await bounded(Promise.all(inflight), 15_000);
        await bounded(queue.idle(), 15_000);
        const closing = app.stop().catch((e: unknown) => log.warn('slack adapter did not stop cleanly', { error: e }));
        // Idle keep-alive connections would hold server.close() open.
        server.closeAllConnections();
        await bounded(closing, 5_000);
        if (socketMode) await new Promise<void>((r) => server.close(() => r()));
        log.info('slack adapter stopped');
      })();
      return stopped;
    },
  };
}
