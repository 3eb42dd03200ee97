// `npm run bench`: every benchmark, each reporting ratios against a baseline measured in the same run.
import { benchRolling } from './rolling.js';
import { benchEigen } from './eigen.js';
import { benchCharts } from './charts.js';
import { benchBacktest } from './backtest.js';
import { benchCsv } from './csv.js';
import { benchStartup } from './startup.js';
import { benchWatcher } from './watcher.js';
import { benchTickLoad } from './tick-load.js';
import { benchChatLoad } from './chat-load.js';
import { benchDcc } from './dcc.js';
import { benchReplicas } from './replicas.js';

await benchRolling();
await benchEigen();
await benchBacktest();
await benchCharts();
await benchCsv();
await benchWatcher();
await benchTickLoad();
await benchChatLoad();
await benchDcc();
await benchReplicas();
await benchStartup();
