import type { Platform } from '../domain/invocation.js';
import type { Reply } from '../domain/reply.js';
import type { NotificationRecord } from '../store/types.js';

/** One alert to deliver to one channel. */
export interface AlertMessage {
  record: NotificationRecord;
  reply: Reply;
  /** For `resolved`/`escalated`: the platform reference of this episode's firing message on the same target. */
  threadRef?: string;
}

/**
 * A notifier reports whether a failure is worth retrying (Alertmanager notify, freqtrade rpc_manager), and whether
 * the platform may have posted the message all the same (`unconfirmed`: no answer came back, a timeout, a 5xx), in
 * which case the outbox looks for it (findSent) before sending again.
 */
export type NotifyResult = { ok: true; messageRef?: string } | { ok: false; retryable: boolean; error: string; unconfirmed?: boolean };

export interface Notifier {
  readonly platform: Platform;
  /** Targets that receive every alert without a subscription (the console/log notifier). */
  readonly implicitTargets?: string[];
  send(channelId: string, message: AlertMessage): Promise<NotifyResult>;
  /**
   * The message ref of this alert if the platform already has it in the channel (a send whose confirmation was lost
   * when the process stopped), else undefined. Optional: a platform that cannot be asked relies on its own
   * deduplication (Discord's nonce) or may show the alert twice (the console).
   */
  findSent?(channelId: string, message: AlertMessage): Promise<string | undefined>;
}

/** `platform:channelId`, the key of a delivery. */
export function targetKey(platform: Platform, channelId: string): string {
  return `${platform}:${channelId}`;
}

export function parseTargetKey(key: string): { platform: Platform; channelId: string } {
  const i = key.indexOf(':');
  return { platform: key.slice(0, i) as Platform, channelId: key.slice(i + 1) };
}
