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

export const SEVERITY_STYLE: Record<Severity, SeverityStyle> = {
  critical: { marker: '🔴 Critical', color: 0xdc2626 },
  warning: { marker: '🟠 Warning', color: 0xf59e0b },
  success: { marker: '🟢 OK', color: 0x22c55e },
  info: { marker: 'ℹ️', color: 0x3b82f6 },
  error: { marker: '⚠️ Error', color: 0x991b1b },
};

/** The title with its severity marker in front (`🔴 Critical · majors: stressed`); a title without severity is left as is. */
export function markedTitle(title: string, severity: Severity | undefined): string {
  if (!severity) return title;
  const { marker } = SEVERITY_STYLE[severity];
  const t = title.trim();
  if (!t) return marker;
  // ℹ️ is a symbol, not a word: no separator needed.
  return severity === 'info' ? `${marker} ${t}` : `${marker} · ${t}`;
}
