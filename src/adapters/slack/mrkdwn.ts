/**
 * Slack mrkdwn text helpers: escaping, cutting without breaking an escape or a surrogate pair, and splitting long
 * text into section-sized chunks without leaving a code fence open.
 */

import { clampText, surrogateSafeCut } from '../../render/clamp.js';

/** Slack requires `&`, `<` and `>` escaped in mrkdwn (and in the top-level text); nothing else. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The reverse, for text Slack sends us (slash command text arrives with these escaped). */
export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Markdown `**bold**` (what commands write) as Slack's `*bold*`, outside code fences. */
export function toMrkdwn(text: string): string {
  return text
    .split(/(```[\s\S]*?(?:```|$))/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\*\*([^*\n]+?)\*\*/g, '*$1*')))
    .join('');
}

/** A position <= max where text may be cut: not inside `&amp;`/`&lt;`/`&gt;`, not between a surrogate pair. */
export function safeCut(text: string, max: number): number {
  if (text.length <= max) return text.length;
  let cut = Math.max(0, max);
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp !== -1 && cut - amp < 5 && /^&(amp|lt|gt);/.test(text.slice(amp, amp + 5))) {
    const end = text.indexOf(';', amp) + 1;
    if (end > cut) cut = amp;
  }
  return surrogateSafeCut(text, cut);
}

/** clampText (src/render/clamp.ts) for escaped mrkdwn: never cuts an escape in two. */
export function clampMrkdwn(text: string, max: number): string {
  return clampText(text, max, safeCut);
}

const FENCE = '```';

function fenceCount(line: string): number {
  return line.split(FENCE).length - 1;
}

/** Split one line into pieces of at most `max` units (safe cut points). */
function hardSplit(line: string, max: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > max) {
    const cut = Math.max(1, safeCut(rest, max));
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  out.push(rest);
  return out;
}

/**
 * Split already-escaped mrkdwn into chunks of at most `max` units, at line breaks where possible. A chunk that
 * ends inside a code fence is closed with ``` and the next one reopens it, so every chunk renders on its own.
 */
export function splitMrkdwn(text: string, max: number): string[] {
  if (text.length <= max) return text.length ? [text] : [];
  const close = '\n' + FENCE;
  const open = FENCE + '\n';
  const pieceMax = max - close.length - open.length;
  const chunks: string[] = [];
  let cur: string | undefined;
  let inFence = false;
  for (const line of text.split('\n')) {
    for (const piece of hardSplit(line, pieceMax)) {
      const candidate = cur === undefined ? piece : cur + '\n' + piece;
      if (candidate.length + close.length > max && cur !== undefined) {
        chunks.push(inFence ? cur + close : cur);
        cur = inFence ? open + piece : piece;
      } else {
        cur = candidate;
      }
      if (fenceCount(piece) % 2 === 1) inFence = !inFence;
    }
  }
  if (cur !== undefined) chunks.push(cur);
  return chunks.filter((c) => c.trim().length > 0);
}
