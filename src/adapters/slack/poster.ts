import type { types, webApi } from '@slack/bolt';
import type { ChartImage } from '../../domain/reply.js';
import type { SlackMessage } from './blocks.js';
import type { ChannelQueue } from './channel-queue.js';

/** Everything the adapter posts into channels, through the per-channel queue. */
export interface SlackPoster {
  /** chat.postMessage; returns the message ts. `alertId` is attached as message metadata (see findAlert). */
  post(channel: string, message: SlackMessage, threadTs?: string, alertId?: string): Promise<string>;
  /**
   * The ts of the bot's message carrying `alertId` in its metadata, among the channel's messages since `oldestSec`
   * (in the thread of `threadTs` when given), or undefined. conversations.history / conversations.replies with
   * include_all_metadata (scopes channels:history, groups:history).
   */
  findAlert(channel: string, alertId: string, oldestSec: number, threadTs?: string): Promise<string | undefined>;
  /** chat.update of a message the bot posted. */
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  /** files.uploadV2 (three calls) into the channel, or into the thread when `threadTs` is given. */
  uploadChart(channel: string, chart: ChartImage, threadTs?: string): Promise<void>;
  /**
   * files.uploadV2 without a channel: the file stays private to the bot, which can then show it inside a message
   * (an image block with `slack_file: { id }`). Returns the file id. `channel` only picks the queue lane.
   */
  uploadPrivate(channel: string, file: SlackUpload): Promise<string>;
  /**
   * files.uploadV2 shared into `channel` (a channel id, or a user's DM channel) with a short message, in the thread
   * of `threadTs` when given.
   */
  shareFile(channel: string, file: SlackUpload, comment: string, threadTs?: string): Promise<void>;
  /** conversations.open with one user: the id of the bot's DM channel with them (scope im:write). */
  openDm(user: string): Promise<string>;
}

/** A file to upload. */
export interface SlackUpload {
  bytes: Buffer;
  filename: string;
  title: string;
  /** Images only. */
  alt?: string;
}

/** The id of the (single) file files.uploadV2 completed: `{ files: [ { files: [ { id } ] } ] }`. */
function uploadedId(res: unknown): string {
  const completions = (res as { files?: { files?: { id?: string }[] }[] }).files ?? [];
  const id = completions[0]?.files?.[0]?.id;
  if (!id) throw new Error('files.uploadV2 answered without a file id');
  return id;
}

/** The metadata event type of corrwatch's alert messages (its payload: `{ alert: <notification id> }`). */
export const ALERT_EVENT = 'corrwatch_alert';

const asBlocks = (m: SlackMessage) => m.blocks as unknown as types.KnownBlock[];

export function createPoster(client: webApi.WebClient, queue: ChannelQueue): SlackPoster {
  return {
    async post(channel, message, threadTs, alertId) {
      const res = await queue.run(channel, 'chat.postMessage', () =>
        client.chat.postMessage({
          channel,
          text: message.text,
          blocks: asBlocks(message),
          unfurl_links: false,
          unfurl_media: false,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          ...(alertId ? { metadata: { event_type: ALERT_EVENT, event_payload: { alert: alertId } } } : {}),
        }),
      );
      if (!res.ts) throw new Error('chat.postMessage answered without a message ts');
      return res.ts;
    },
    async findAlert(channel, alertId, oldestSec, threadTs) {
      const res = await queue.run(channel, threadTs ? 'conversations.replies' : 'conversations.history', () =>
        threadTs
          ? client.conversations.replies({ channel, ts: threadTs, oldest: String(oldestSec), include_all_metadata: true, limit: 200 })
          : client.conversations.history({ channel, oldest: String(oldestSec), include_all_metadata: true, limit: 200 }),
      );
      const found = (res.messages ?? []).find((m) => {
        const meta = (m as { metadata?: { event_type?: string; event_payload?: { alert?: unknown } } }).metadata;
        return meta?.event_type === ALERT_EVENT && meta.event_payload?.alert === alertId;
      });
      return found?.ts;
    },
    async update(channel, ts, message) {
      await queue.run(channel, 'chat.update', () => client.chat.update({ channel, ts, text: message.text, blocks: asBlocks(message) }));
    },
    async uploadChart(channel, chart, threadTs) {
      const common = { file: chart.png, filename: chart.filename, title: chart.alt, alt_text: chart.alt };
      await queue.run(channel, 'files.uploadV2', () =>
        threadTs ? client.files.uploadV2({ ...common, channel_id: channel, thread_ts: threadTs }) : client.files.uploadV2({ ...common, channel_id: channel }),
      );
    },
    async uploadPrivate(channel, file) {
      // Shared into no channel: not paced like a post (the answer it goes with is).
      const res = await queue.runUnpaced(channel, 'files.uploadV2', () =>
        client.files.uploadV2({ file: file.bytes, filename: file.filename, title: file.title, ...(file.alt ? { alt_text: file.alt } : {}) }),
      );
      return uploadedId(res);
    },
    async shareFile(channel, file, comment, threadTs) {
      const common = { file: file.bytes, filename: file.filename, title: file.title, initial_comment: comment };
      await queue.run(channel, 'files.uploadV2', () =>
        threadTs ? client.files.uploadV2({ ...common, channel_id: channel, thread_ts: threadTs }) : client.files.uploadV2({ ...common, channel_id: channel }),
      );
    },
    async openDm(user) {
      const res = await client.conversations.open({ users: user });
      const id = res.channel?.id;
      if (!id) throw new Error('conversations.open answered without a channel id');
      return id;
    },
  };
}
