import { createRequire } from 'node:module';
import { GlobalFonts } from '@napi-rs/canvas';
import {
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  SubTitle,
  Title,
} from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import annotationPlugin from 'chartjs-plugin-annotation';
import { backgroundPlugin } from './background-plugin.js';

/** Family name the bundled DejaVu fonts are registered under; a bare Docker image has no system fonts. */
export const FONT_FAMILY = 'DejaVu Sans';

let ready = false;

/** Registers Chart.js pieces, plugins and fonts once per process. Safe to call before every render. */
export function ensureChartSetup(): void {
  if (ready) return;
  const require = createRequire(import.meta.url);
  for (const file of ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']) {
    const path = require.resolve(`dejavu-fonts-ttf/ttf/${file}`);
    if (!GlobalFonts.registerFromPath(path, FONT_FAMILY)) {
      throw new Error(`could not register font ${path}`);
    }
  }
  Chart.register(
    LineController,
    LineElement,
    PointElement,
    LinearScale,
    CategoryScale,
    Filler,
    Legend,
    Title,
    SubTitle,
    MatrixController,
    MatrixElement,
    annotationPlugin,
    backgroundPlugin,
  );
  Chart.defaults.font.family = `'${FONT_FAMILY}'`;
  Chart.defaults.animation = false;
  Chart.defaults.responsive = false;
  ready = true;
}
