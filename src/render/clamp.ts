/**
 * Cutting text to a platform's length limit, shared by every chat adapter (Slack, Discord): at most `max` UTF-16
 * units, never splitting a surrogate pair, and a cut text ends with `…`.
 */

const ELLIPSIS = '…';

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** A position <= max where text may be cut without separating a surrogate pair. */
export function surrogateSafeCut(text: string, max: number): number {
  if (text.length <= max) return text.length;
  let cut = Math.max(0, max);
  if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
  return cut;
}

/**
 * At most `max` units, ending with `…` when something was dropped. `cutAt` picks the cut position (at most its
 * `max`); the default only keeps surrogate pairs whole, a platform with escapes (Slack's `&amp;`) passes its own.
 */
export function clampText(text: string, max: number, cutAt: (text: string, max: number) => number = surrogateSafeCut): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  return text.slice(0, cutAt(text, max - 1)) + ELLIPSIS;
}
