import type { ChartType, Plugin } from 'chart.js';
import { contextOf } from './context.js';

export interface BackgroundOptions {
  color?: string;
}

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface PluginOptionsByType<TType extends ChartType> {
    corrwatchBackground?: BackgroundOptions;
  }
}

/** The canvas starts transparent; paint it so the PNG looks the same on any client background. */
export const backgroundPlugin: Plugin = {
  id: 'corrwatchBackground',
  defaults: { color: '#ffffff' },
  beforeDraw(chart, _args, options: BackgroundOptions) {
    const { width, height } = chart;
    const ctx = contextOf(chart);
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = options.color ?? '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};
