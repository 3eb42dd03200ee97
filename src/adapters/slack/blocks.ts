/**
 * The Block Kit subset corrwatch sends, as plain types (the renderer stays pure and SDK-free; these are
 * structurally what @slack/types calls KnownBlock).
 */
export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}

export interface HeaderBlock {
  type: 'header';
  block_id?: string;
  text: PlainText;
}

export interface SectionBlock {
  type: 'section';
  block_id?: string;
  text?: Mrkdwn;
  fields?: Mrkdwn[];
}

export interface ContextBlock {
  type: 'context';
  block_id?: string;
  elements: Mrkdwn[];
}

export interface ButtonElement {
  type: 'button';
  text: PlainText;
  action_id: string;
  value?: string;
  style?: 'primary' | 'danger';
}

export interface ActionsBlock {
  type: 'actions';
  block_id?: string;
  elements: ButtonElement[];
}

export interface DividerBlock {
  type: 'divider';
  block_id?: string;
}

/**
 * An image from a file the bot uploaded (`slack_file: { id }`), or from a public URL. Slack checks that the poster
 * can see the file: one uploaded by the bot (files.completeUploadExternal without a channel) qualifies.
 */
export interface ImageBlock {
  type: 'image';
  block_id?: string;
  slack_file?: { id: string } | { url: string };
  image_url?: string;
  alt_text: string;
  title?: PlainText;
}

export type SlackBlock = HeaderBlock | SectionBlock | ContextBlock | ActionsBlock | DividerBlock | ImageBlock;

/** What chat.postMessage / chat.update / response_url get: blocks plus the notification (fallback) text. */
export interface SlackMessage {
  blocks: SlackBlock[];
  text: string;
}
