// `npm run bench`: every benchmark, each reporting ratios against a baseline measured in the same run.
import { benchRolling } from './rolling.js';
import { benchCharts } from './charts.js';
import { benchBacktest } from './backtest.js';

await benchRolling();
await benchBacktest();
await benchCharts();
