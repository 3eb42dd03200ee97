/**
 * The neutral answer every command handler and every alert produces. Adapters render it:
 * Block Kit on Slack, an embed on Discord, text + a PNG file on the console, JSON (`data`) on the CLI.
 */
export interface ReplyField {
  name: string;
  value: string;
  inline?: boolean;
}

export interface ChartImage {
  png: Buffer;
  /** File name to use when uploading or saving, e.g. `corr-BTC-ETH.png`. */
  filename: string;
  /** Alt text / title describing the chart. */
  alt: string;
  width: number;
  height: number;
}

/** A button under a message (alerts: Acknowledge, Snooze 1h/4h/24h). `id` is stable and parsed back on click. */
export interface ReplyAction {
  id: string;
  label: string;
  /** Only admins may use it; checked again on the server side when clicked. */
  adminOnly: boolean;
  style?: 'primary' | 'danger' | 'default';
}

export type Severity = 'info' | 'success' | 'warning' | 'critical' | 'error';

export interface Reply {
  title: string;
  text?: string;
  fields?: ReplyField[];
  chart?: ChartImage;
  /** Only the caller sees it (errors, refusals, admin confirmations). */
  ephemeral?: boolean;
  severity?: Severity;
  actions?: ReplyAction[];
  /** Machine-readable result: what `--json` prints on the CLI. */
  data?: unknown;
  /** Short footer line (source, window, timestamps). */
  footer?: string;
  /**
   * A file to hand over with the answer (`/corr export ...`: a CSV): uploaded as a Slack file or a Discord attachment
   * in the same message, written to disk by the console and the CLI.
   */
  attachment?: ReplyAttachment;
}

export interface ReplyAttachment {
  /** e.g. `matrix-majors.csv` */
  filename: string;
  content: Buffer;
  mime: 'text/csv';
  /** What it is, for the upload's title. */
  title: string;
}
