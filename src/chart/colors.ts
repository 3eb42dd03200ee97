/**
 * Diverging scale for correlations: -1 blue, 0 neutral, +1 red (ColorBrewer RdBu, 9 classes, reversed),
 * interpolated linearly in RGB between the classes.
 */
export const DIVERGING_STOPS: readonly (readonly [number, number, number])[] = [
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
];

export type Rgb = readonly [number, number, number];

/** Colour of a correlation in [-1, 1] (clamped). */
export function divergingRgb(v: number): Rgb {
  const t = (Math.max(-1, Math.min(1, v)) + 1) / 2;
  const pos = t * (DIVERGING_STOPS.length - 1);
  const i = Math.min(Math.floor(pos), DIVERGING_STOPS.length - 2);
  const f = pos - i;
  const a = DIVERGING_STOPS[i];
  const b = DIVERGING_STOPS[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as unknown as Rgb;
}

export function rgbCss([r, g, b]: Rgb): string {
  return `rgb(${r},${g},${b})`;
}

/** WCAG relative luminance of an sRGB colour. */
export function luminance([r, g, b]: Rgb): number {
  const lin = (c: number): number => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

const DARK_TEXT = '#111418';
const LIGHT_TEXT = '#ffffff';

/** Near-black or white, whichever has the higher WCAG contrast ratio against the cell. */
export function textColorOn(bg: Rgb): string {
  const l = luminance(bg);
  const onDark = (1.05) / (l + 0.05);
  const onLight = (l + 0.05) / (luminance([17, 20, 24]) + 0.05);
  return onLight >= onDark ? DARK_TEXT : LIGHT_TEXT;
}

/** `#rrggbb` -> [r, g, b]. */
export function hexRgb(hex: string): Rgb {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

/** `rgba(r,g,b,a)` with a different alpha (legend swatches outline the faint band colours). */
export function withAlpha(rgba: string, alpha: number): string {
  return rgba.replace(/rgba\(([^,]+),([^,]+),([^,]+),[^)]+\)/, `rgba($1,$2,$3,${alpha})`);
}
