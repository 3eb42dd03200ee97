import { renderReplyText } from '../render/text.js';
import type { Logger } from '../log.js';
import type { Notifier } from './notifier.js';

/**
 * Writes every alert to the log and to a terminal stream. It has an implicit target (`console:stdout`), so it
 * receives every basket's alerts without a subscription, exactly once like any other target.
 */
export function consoleNotifier(write: (text: string) => void, log: Logger, onChart?: (png: Buffer, filename: string) => string | undefined): Notifier {
  return {
    platform: 'console',
    implicitTargets: ['console:stdout'],
    async send(_channel, { record, reply }) {
      log.info('alert', { id: record.id, basket: record.basket, kind: record.kind });
      let text = renderReplyText(reply);
      if (reply.chart && onChart) {
        const path = onChart(reply.chart.png, `${record.id.replace(/[^a-z0-9-]+/gi, '_')}.png`);
        if (path) text += `\n  chart: ${path}`;
      }
      write(text + '\n');
      return { ok: true, messageRef: record.id };
    },
  };
}
