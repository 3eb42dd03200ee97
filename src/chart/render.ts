import { createCanvas } from '@napi-rs/canvas';
import { Chart, type ChartConfiguration, type ChartItem, type ChartType, type DefaultDataPoint } from 'chart.js';
import { encodeOpaquePng } from './png-encode.js';
import { ensureChartSetup } from './setup.js';
import type { ResolvedSize } from './options.js';

/**
 * Draws one Chart.js configuration on an off-screen canvas and returns the PNG bytes.
 * `adjust` may change options after the first layout (e.g. to square the heatmap) and returns true to redraw.
 */
export async function renderToPng<T extends ChartType, D = DefaultDataPoint<T>, L = unknown>(
  config: ChartConfiguration<T, D, L>,
  size: ResolvedSize,
  adjust?: (chart: Chart<T, D, L>) => boolean,
): Promise<Buffer> {
  ensureChartSetup();
  const canvas = createCanvas(size.width, size.height);
  const ctx = canvas.getContext('2d');
  config.options = { ...config.options, animation: false, responsive: false, devicePixelRatio: 1 } as typeof config.options;
  // @napi-rs/canvas implements the 2D context API Chart.js draws with; its types are not the DOM ones.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- only "unnecessary" because the DOM types ChartItem names do not resolve here (no DOM lib); it states the intent
  const chart = new Chart<T, D, L>(ctx as unknown as ChartItem, config);
  try {
    if (adjust?.(chart)) chart.update('none');
    // Our encoder rather than Skia's (canvas.encode): half the CPU for a file about the same size (png-encode.ts).
    const { data } = ctx.getImageData(0, 0, size.width, size.height);
    return encodeOpaquePng(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), size.width, size.height) ?? (await canvas.encode('png'));
  } finally {
    chart.destroy();
  }
}
