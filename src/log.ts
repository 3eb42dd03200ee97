/** Minimal levelled logger writing one line per event to stderr (stdout stays clean for --json and replies). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, ctx?: Record<string, unknown>): void;
  info(msg: string, ctx?: Record<string, unknown>): void;
  warn(msg: string, ctx?: Record<string, unknown>): void;
  error(msg: string, ctx?: Record<string, unknown>): void;
}

/** Values of env vars that hold secrets: never printed, even if a message or context happens to contain them. */
const SECRET_ENV = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'DISCORD_TOKEN'];

export function redact(text: string, env: Record<string, string | undefined> = process.env): string {
  let out = text;
  for (const k of SECRET_ENV) {
    const v = env[k];
    if (v && v.length >= 6) out = out.split(v).join(`[${k}]`);
  }
  return out.replace(/xox[abpr]-[A-Za-z0-9-]+/g, '[slack-token]');
}

function formatCtx(ctx?: Record<string, unknown>): string {
  if (!ctx) return '';
  const parts = Object.entries(ctx).map(([k, v]) => {
    if (v instanceof Error) return `${k}=${JSON.stringify(v.stack ?? v.message)}`;
    return `${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)}`;
  });
  return parts.length ? ' ' + parts.join(' ') : '';
}

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const min = ORDER[level];
  const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, ctx?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    write(redact(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${msg}${formatCtx(ctx)}`));
  };
  return {
    debug: (m, c) => emit('debug', m, c),
    info: (m, c) => emit('info', m, c),
    warn: (m, c) => emit('warn', m, c),
    error: (m, c) => emit('error', m, c),
  };
}

export const silentLogger: Logger = createLogger('silent');
