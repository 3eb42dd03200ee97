import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { redact, type Logger } from '../../log.js';

function text(args: unknown[], env: Record<string, string | undefined>): string {
  const parts = args.map((a) => {
    if (a instanceof Error) return a.message;
    if (typeof a === 'string') return a;
    try {
      return JSON.stringify(a);
    } catch {
      return String(a);
    }
  });
  return redact(parts.join(' '), env);
}

const SIGNATURE_HINT = ' (Slack requests that fail the signature check get 401: check SLACK_SIGNING_SECRET, and the server clock)';

/**
 * Bolt's and the WebClient's log lines into corrwatch's log, with the Slack secrets of `env` masked (and any
 * xox token), and a hint naming SLACK_SIGNING_SECRET when a request fails verification.
 */
export function boltLogger(log: Logger, env: Record<string, string | undefined>): BoltLogger {
  let level: LogLevel = LogLevel.DEBUG;
  return {
    debug: (...m: unknown[]) => log.debug(`slack: ${text(m, env)}`),
    info: (...m: unknown[]) => log.info(`slack: ${text(m, env)}`),
    warn: (...m: unknown[]) => {
      const t = text(m, env);
      log.warn(`slack: ${t}${/failed to (parse and )?verify/i.test(t) ? SIGNATURE_HINT : ''}`);
    },
    error: (...m: unknown[]) => log.error(`slack: ${text(m, env)}`),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
