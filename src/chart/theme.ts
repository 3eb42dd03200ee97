/** Colours for one look of the charts. Backgrounds are opaque: the PNG is posted as-is to Slack / Discord. */
export interface Theme {
  name: ThemeName;
  background: string;
  text: string;
  mutedText: string;
  grid: string;
  axis: string;
  zeroLine: string;
  /** Pair chart: short-window line, long-window line, CI band fill. */
  short: string;
  long: string;
  band: string;
  /** Regime chart: the average-correlation line and the marker of the current point. */
  avg: string;
  entry: string;
  exit: string;
  labelBackground: string;
  /** Heatmap: cells whose value is missing (NaN), and the thin gap between cells. */
  missingCell: string;
  cellBorder: string;
  regime: { calm: string; converging: string; stressed: string; decoupling: string };
  /**
   * Forecast chart: the window ρ̄ (thin, quiet), the smoothed ρ̄ and its band (blue), the forecast mean and its
   * interval (orange: a different hue from the band, so history and forecast never read as one area), the now marker.
   */
  forecast: { window: string; smoothed: string; band: string; mean: string; interval: string; now: string };
}

export type ThemeName = 'dark' | 'light';

const dark: Theme = {
  name: 'dark',
  background: '#1b1d23',
  text: '#e9ecef',
  mutedText: '#adb5bd',
  grid: 'rgba(255,255,255,0.10)',
  axis: 'rgba(255,255,255,0.35)',
  zeroLine: 'rgba(255,255,255,0.55)',
  short: '#4dabf7',
  long: '#ffa94d',
  band: 'rgba(77,171,247,0.22)',
  avg: '#f8f9fa',
  entry: '#f783ac',
  exit: '#63e6be',
  labelBackground: 'rgba(33,37,41,0.92)',
  missingCell: '#3b3f47',
  cellBorder: '#1b1d23',
  regime: {
    calm: 'rgba(81,207,102,0.10)',
    converging: 'rgba(252,196,25,0.30)',
    stressed: 'rgba(255,107,107,0.28)',
    decoupling: 'rgba(77,171,247,0.24)',
  },
  forecast: {
    window: 'rgba(206,212,218,0.75)',
    smoothed: '#4dabf7',
    band: 'rgba(77,171,247,0.24)',
    mean: '#ffa94d',
    interval: 'rgba(255,169,77,0.32)',
    now: '#e9ecef',
  },
};

const light: Theme = {
  name: 'light',
  background: '#ffffff',
  text: '#212529',
  mutedText: '#495057',
  grid: 'rgba(0,0,0,0.09)',
  axis: 'rgba(0,0,0,0.35)',
  zeroLine: 'rgba(0,0,0,0.55)',
  short: '#1971c2',
  long: '#e8590c',
  band: 'rgba(25,113,194,0.16)',
  avg: '#212529',
  entry: '#c2255c',
  exit: '#0c8599',
  labelBackground: 'rgba(255,255,255,0.92)',
  missingCell: '#dee2e6',
  cellBorder: '#ffffff',
  regime: {
    calm: 'rgba(64,192,87,0.10)',
    converging: 'rgba(250,176,5,0.22)',
    stressed: 'rgba(250,82,82,0.20)',
    decoupling: 'rgba(34,139,230,0.18)',
  },
  forecast: {
    window: 'rgba(73,80,87,0.70)',
    smoothed: '#1971c2',
    band: 'rgba(25,113,194,0.16)',
    mean: '#e8590c',
    interval: 'rgba(247,103,7,0.20)',
    now: '#343a40',
  },
};

export const themes: Record<ThemeName, Theme> = { dark, light };

export function getTheme(name: ThemeName | undefined): Theme {
  return themes[name ?? 'dark'] ?? dark;
}
