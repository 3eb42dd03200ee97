const ELLIPSIS = '…';
const FENCE = '```';
const CLOSE_FENCE = '\n```';

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** At most `max` UTF-16 units, never cutting a surrogate pair in two; a cut text ends with `…`. */
export function clampText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = max - 1;
  if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
  return text.slice(0, cut) + ELLIPSIS;
}

function fences(text: string): number {
  return text.split(FENCE).length - 1;
}

/**
 * clampText for Markdown: when the cut falls inside a ``` code block, the block is closed, so a long table
 * does not turn the rest of the message into code.
 */
export function clampMarkdown(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = clampText(text, max);
  if (fences(cut) % 2 === 0 || max <= CLOSE_FENCE.length + 1) return cut;
  const shorter = clampText(text, max - CLOSE_FENCE.length);
  return fences(shorter) % 2 === 1 ? shorter + CLOSE_FENCE : shorter;
}

/** Discord rejects empty field names and values: a zero-width space stands in. */
export function nonEmpty(text: string): string {
  return text.trim().length > 0 ? text : '\u200b';
}
