import type { ThemeName } from './theme.js';

/** Output options shared by every chart. */
export interface RenderOptions {
  /** Pixels, default 1200. */
  width?: number;
  /** Pixels, default 600. */
  height?: number;
  /** Default `dark` (readable in Discord / Slack dark mode). */
  theme?: ThemeName;
  /**
   * IANA zone of the time axis, subtitles and alt text (the display zone: config display.timezone or the basket's
   * own); default UTC.
   */
  timeZone?: string;
}

export interface ResolvedSize {
  width: number;
  height: number;
}

const MIN_SIZE = 200;
const MAX_SIZE = 4000;

/** Defaults to 1200x600; rejects sizes a chart cannot be laid out in (or that would eat memory). */
export function resolveSize(opts: RenderOptions | undefined): ResolvedSize {
  const width = opts?.width ?? 1200;
  const height = opts?.height ?? 600;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < MIN_SIZE || v > MAX_SIZE) {
      throw new RangeError(`chart ${name} must be an integer from ${MIN_SIZE} to ${MAX_SIZE} pixels, got ${v}`);
    }
  }
  return { width, height };
}
