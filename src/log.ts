import pino from 'pino';
import type { Logger } from './domain/logger.js';

/**
 * Levelled logging on pino: one JSON object per line by default (for a log pipeline), or a readable line on a
 * terminal ('pretty'). Lines go to `write` (stderr by default: stdout stays clean for --json and replies).
 * Secrets never reach it: keys that hold them are censored by pino's `redact` paths, and the values of the secret
 * environment variables (and anything shaped like a Slack token) are replaced in every line as a last resort.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFormat = 'json' | 'pretty';

/** The Logger port (src/domain/logger.ts), re-exported for the modules that import it from here. */
export type { Logger };

/** Values of env vars that hold secrets: never printed, even if a message or context happens to contain them. */
const SECRET_ENV = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'DISCORD_TOKEN', 'DATABASE_URL', 'PGPASSWORD'];

/** Context keys whose values are secrets wherever they appear (two levels deep). */
export const REDACT_PATHS = ['token', 'botToken', 'appToken', 'signingSecret', 'webhookUrl', 'authorization', 'password', 'secret'].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export function redact(text: string, env: Record<string, string | undefined> = process.env): string {
  let out = text;
  for (const k of SECRET_ENV) {
    const v = env[k];
    if (v && v.length >= 6) out = out.split(v).join(`[${k}]`);
  }
  // The password inside DATABASE_URL, wherever it shows up on its own.
  const dbPassword = urlPassword(env.DATABASE_URL);
  if (dbPassword && dbPassword.length >= 6) out = out.split(dbPassword).join('[redacted]');
  return out
    .replace(/xox[abpr]-[A-Za-z0-9-]+/g, '[slack-token]')
    .replace(/https:\/\/hooks\.slack\.com\/[^\s"']+/g, '[slack-webhook]')
    .replace(/(postgres(?:ql)?:\/\/[^:/@\s"']*:)[^@\s"']+@/g, '$1[redacted]@');
}

function urlPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/** Errors anywhere in the context become { type, message, stack } (JSON.stringify would print `{}`). */
function serializable(ctx: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!ctx) return ctx;
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(ctx)) {
    if (v instanceof Error) {
      out ??= { ...ctx };
      out[k] = pino.stdSerializers.err(v);
    }
  }
  return out ?? ctx;
}

const LABEL: Record<number, string> = { 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR' };
const RESERVED = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** A JSON line as `2024-01-01T00:00:00.000Z INFO  message key=value ...` for a person at a terminal. */
function pretty(line: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const lvl = (LABEL[o.level as number] ?? String(o.level)).padEnd(5);
  const rest = Object.entries(o)
    .filter(([k]) => !RESERVED.has(k))
    .map(([k, v]) => {
      if (v && typeof v === 'object' && 'stack' in v) return `${k}=${JSON.stringify((v as { stack: string }).stack)}`;
      return `${k}=${JSON.stringify(v)}`;
    });
  return `${String(o.time)} ${lvl} ${typeof o.msg === 'string' ? o.msg : ''}${rest.length ? ' ' + rest.join(' ') : ''}`;
}

function wrap(p: pino.Logger): Logger {
  return {
    debug: (m, c) => p.debug(serializable(c) ?? {}, m),
    info: (m, c) => p.info(serializable(c) ?? {}, m),
    warn: (m, c) => p.warn(serializable(c) ?? {}, m),
    error: (m, c) => p.error(serializable(c) ?? {}, m),
    child: (bindings) => wrap(p.child(bindings)),
  };
}

export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (l) => process.stderr.write(l + '\n'),
  format: LogFormat = 'json',
): Logger {
  const destination = {
    write(chunk: string) {
      const line = redact(chunk.replace(/\n$/, ''));
      write(format === 'pretty' ? pretty(line) : line);
    },
  };
  const p = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination,
  );
  return wrap(p);
}

/** LOG_FORMAT=json|pretty, else pretty on a terminal and JSON otherwise (a file, a pipe, a container log). */
export function logFormatFor(env: Record<string, string | undefined>, isTTY: boolean): LogFormat {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return isTTY ? 'pretty' : 'json';
}

/** LOG_LEVEL overrides the configured level when it names one. */
export function logLevelFor(env: Record<string, string | undefined>, configured: LogLevel): LogLevel {
  const v = env.LOG_LEVEL?.toLowerCase();
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error' || v === 'silent' ? v : configured;
}

export const silentLogger: Logger = createLogger('silent');
