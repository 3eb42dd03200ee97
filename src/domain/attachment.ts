import { MAX_EXPORT_BYTES } from './limits.js';

/**
 * Largest file (a CSV export) an adapter hands over with an answer: the export command's own bound
 * (`MAX_EXPORT_BYTES`, 512 kB). Slack's and Discord's own file limits are far larger; this keeps chat exports to what
 * one answer should carry.
 */
export const MAX_ATTACHMENT_BYTES = MAX_EXPORT_BYTES;

/**
 * The adapters' own check of a reply's file before they hand it over (the export command checks first; an adapter
 * must never crash on, nor upload, a larger one): the message to show instead, or undefined when it fits.
 */
export function attachmentTooLarge(filename: string, bytes: number, max = MAX_ATTACHMENT_BYTES): string | undefined {
  if (bytes <= max) return undefined;
  const kb = (n: number) => `${Math.ceil(n / 1024)} kB`;
  return `${filename} is ${kb(bytes)}, more than a chat export takes (${kb(max)}): ask for less (a shorter window, fewer symbols) or use the CLI's --csv FILE.`;
}
