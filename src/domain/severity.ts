import type { Severity } from './reply.js';

/**
 * How a reply's severity shows in chat, the same on every platform: a leading marker that reads without colour
 * (an emoji whose shape or word differs: 🔴 and 🟠 alone are told apart only by colour, so those carry a word too)
 * and a colour (Discord's embed colour; on Slack the coloured emoji is the colour).
 */
export interface SeverityStyle {
  /** Emoji then, where the emoji alone would need colour to read, a word: `🔴 Critical`. */
  marker: string;
  /** RGB, e.g. 0xdc2626. */
  color: number;
}

/** An emoji (with its variation selector) and the spaces after it, at the start of a text. */
const LEADING_EMOJI = /^\p{Extended_Pictographic}\uFE0F?\s+/u;

export const SEVERITY_STYLE: Record<Severity, SeverityStyle> = {
  critical: { marker: '🔴 Critical', color: 0xdc2626 },
  warning: { marker: '🟠 Warning', color: 0xf59e0b },
  success: { marker: '🟢 OK', color: 0x22c55e },
  info: { marker: 'ℹ️', color: 0x3b82f6 },
  error: { marker: '⚠️ Error', color: 0x991b1b },
};

/**
 * The title with its severity marker in front (`🔴 Critical · majors: stressed`); a title without severity is left as
 * is. The marker takes the place of an emoji the title starts with (an alert's `🔴 majors: correlation stress`, made
 * so for the terminal, which shows no markers): one symbol, never two.
 */
export function markedTitle(title: string, severity: Severity | undefined): string {
  if (!severity) return title;
  const { marker } = SEVERITY_STYLE[severity];
  const t = title.trim().replace(LEADING_EMOJI, '');
  if (!t) return marker;
  // ℹ️ is a symbol, not a word: no separator needed.
  return severity === 'info' ? `${marker} ${t}` : `${marker} · ${t}`;
}
