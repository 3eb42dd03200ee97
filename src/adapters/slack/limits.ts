/**
 * Block Kit limits that Slack enforces (a message breaking one is rejected with `invalid_blocks`), from the Block
 * Kit reference (blocks, block elements, composition objects). The renderer clamps to these; its tests check them.
 * Lengths are counted in UTF-16 code units, which is never fewer than the characters Slack counts.
 */
export const SLACK_LIMITS = {
  /** Blocks in one message (chat.postMessage, chat.update, response_url). */
  blocksPerMessage: 50,
  /** `header` block: plain_text. */
  headerText: 150,
  /** `section` block text. */
  sectionText: 3000,
  /** `section` block: fields and the length of each. */
  fieldsPerSection: 10,
  fieldText: 2000,
  /** `context` block: elements and the length of a text element. */
  contextElements: 10,
  contextText: 3000,
  /** `actions` block: elements. */
  actionsElements: 25,
  /** Button: label (plain_text), action_id, value. */
  buttonText: 75,
  actionId: 255,
  buttonValue: 2000,
  blockId: 255,
  /** `image` block: alt_text and title. */
  imageAltText: 2000,
  imageTitle: 2000,
  /**
   * Top-level `text` (the notification and fallback text). Slack truncates at 40,000 characters; notifications
   * show far less, so keep it short.
   */
  fallbackText: 3000,
} as const;

export type SlackLimits = typeof SLACK_LIMITS;
