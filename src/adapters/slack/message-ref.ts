/**
 * A posted Slack message as the store keeps it (`Delivery.messageRef`): `channel/ts`. It is all that threading a
 * reply under it (thread_ts) or updating it (chat.update) needs; channel ids never contain `/`.
 */
export interface MessageRef {
  channel: string;
  ts: string;
}

export function formatMessageRef(ref: MessageRef): string {
  return `${ref.channel}/${ref.ts}`;
}

export function parseMessageRef(text: string | undefined): MessageRef | undefined {
  const m = /^([A-Za-z0-9]+)\/(\d+\.\d+)$/.exec(text ?? '');
  return m ? { channel: m[1], ts: m[2] } : undefined;
}
