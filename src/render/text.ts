import type { Reply } from '../domain/reply.js';

/** Strip chat markup that means nothing in a terminal (code fences, bold markers). */
function plain(text: string): string {
  return text.replace(/```\n?/g, '').replace(/\*\*(.+?)\*\*/g, '$1');
}

/** A Reply as terminal text: title, body, `name: value` fields aligned, footer. */
export function renderReplyText(reply: Reply): string {
  const lines: string[] = [reply.title];
  if (reply.text) lines.push(plain(reply.text).trimEnd());
  if (reply.fields?.length) {
    const w = Math.max(...reply.fields.map((f) => f.name.length));
    // Continuation lines of a multi-line value line up under its first line.
    for (const f of reply.fields) lines.push(`  ${f.name.padEnd(w)}  ${plain(f.value).split('\n').join('\n' + ' '.repeat(w + 4))}`);
  }
  if (reply.footer) lines.push(`  (${reply.footer})`);
  return lines.join('\n');
}
