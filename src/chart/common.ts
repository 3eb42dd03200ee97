import type { LegendItem } from 'chart.js';
import { fitLines } from './fit-text.js';
import type { Theme } from './theme.js';
import { fmt } from './sanitize.js';

const TITLE_SIZE = 20;
const SUBTITLE_SIZE = 14;

/**
 * Title / subtitle settings every chart shares, sized for a 1200x600 image shown shrunk in a chat client.
 * Long texts wrap to more lines instead of running off the canvas.
 */
export function titleOptions(theme: Theme, width: number, title: string, subtitle?: string) {
  const max = width - 40;
  return {
    title: {
      display: true,
      text: fitLines(title, TITLE_SIZE, max, true),
      color: theme.text,
      font: { size: TITLE_SIZE, weight: 'bold' as const },
      padding: { top: 6, bottom: subtitle ? 2 : 10 },
    },
    subtitle: {
      display: Boolean(subtitle),
      text: subtitle ? fitLines(subtitle, SUBTITLE_SIZE, max) : '',
      color: theme.mutedText,
      font: { size: SUBTITLE_SIZE },
      padding: { bottom: 8 },
    },
  };
}

/** Legend above the plot; swatches follow each dataset's pointStyle (`line` for lines, `rect` for areas). */
export function legendOptions(theme: Theme, filter?: (item: LegendItem) => boolean) {
  return {
    display: true,
    position: 'top' as const,
    align: 'center' as const,
    labels: {
      color: theme.text,
      font: { size: 14 },
      usePointStyle: true,
      pointStyleWidth: 30,
      boxHeight: 12,
      padding: 16,
      ...(filter ? { filter } : {}),
    },
  };
}

export const layoutPadding = { top: 8, right: 24, bottom: 8, left: 12 };

/** The y axis of the average-correlation charts (regime, forecast): ρ̄ from yMin to yMax. */
export function correlationAxis(yMin: number, yMax: number, theme: Theme) {
  return {
    type: 'linear' as const,
    min: yMin,
    max: yMax,
    grid: { color: theme.grid },
    border: { color: theme.axis },
    ticks: { color: theme.mutedText, font: { size: 13 }, callback: (v: string | number) => fmt(Number(v)) },
    title: { display: true, text: 'average correlation ρ̄', color: theme.mutedText, font: { size: 13 } },
  };
}
