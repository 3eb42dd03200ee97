import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { ensureChartSetup, FONT_FAMILY } from './setup.js';

let measurer: SKRSContext2D | undefined;

function measure(text: string, font: string): number {
  ensureChartSetup();
  measurer ??= createCanvas(1, 1).getContext('2d');
  measurer.font = font;
  return measurer.measureText(text).width;
}

/**
 * Chart.js never wraps a title: split it into lines that fit `maxWidth`, preferring the ` · ` separators
 * of our subtitles, then spaces. A single word longer than the line is left as is.
 */
export function fitLines(text: string, sizePx: number, maxWidth: number, bold = false): string[] {
  const font = `${bold ? 'bold ' : ''}${sizePx}px '${FONT_FAMILY}'`;
  if (measure(text, font) <= maxWidth) return [text];
  const sep = text.includes(' · ') ? ' · ' : ' ';
  const lines: string[] = [];
  let line = '';
  for (const part of text.split(sep)) {
    const candidate = line ? `${line}${sep}${part}` : part;
    if (line && measure(candidate, font) > maxWidth) {
      lines.push(line);
      line = part;
    } else {
      line = candidate;
    }
  }
  if (line) lines.push(line);
  return lines;
}
