import type { types, webApi } from '@slack/bolt';
import type { ChartImage } from '../../domain/reply.js';
import type { SlackMessage } from './blocks.js';
import type { ChannelQueue } from './channel-queue.js';

/** Everything the adapter posts into channels, through the per-channel queue. */
export interface SlackPoster {
  /** chat.postMessage; returns the message ts. */
  post(channel: string, message: SlackMessage, threadTs?: string): Promise<string>;
  /** chat.update of a message the bot posted. */
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  /** files.uploadV2 (three calls) into the channel, or into the thread when `threadTs` is given. */
  uploadChart(channel: string, chart: ChartImage, threadTs?: string): Promise<void>;
}

const asBlocks = (m: SlackMessage) => m.blocks as unknown as types.KnownBlock[];

export function createPoster(client: webApi.WebClient, queue: ChannelQueue): SlackPoster {
  return {
    async post(channel, message, threadTs) {
      const res = await queue.run(channel, 'chat.postMessage', () =>
        client.chat.postMessage({ channel, text: message.text, blocks: asBlocks(message), unfurl_links: false, unfurl_media: false, ...(threadTs ? { thread_ts: threadTs } : {}) }),
      );
      if (!res.ts) throw new Error('chat.postMessage answered without a message ts');
      return res.ts;
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
  };
}
