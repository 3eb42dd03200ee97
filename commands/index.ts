import { alertsCommand } from './alerts.js';
import { backtestCommand } from './backtest.js';
import { basketCommand } from './basket.js';
import { regimeCommand } from './regime.js';
import { forecastCommand } from './forecast.js';
import { compareCommand } from './compare.js';
import { corrCommand } from './corr.js';
import { helpCommand } from './help.js';
import { matrixCommand } from './matrix.js';
import { consoleCommand, discordRegisterCommand, slackManifestCommand, startCommand, storeCommand } from './process-commands.js';
import { dbCommand } from './db.js';
import { auditCommand } from './audit.js';
import { exportCommand } from './export.js';
import type { CommandSpec } from './types.js';

/** Every command, declared once: served by the CLI, the console, Slack and Discord. */
export const commands: CommandSpec[] = [];
commands.push(corrCommand, matrixCommand, regimeCommand, forecastCommand, compareCommand, basketCommand, alertsCommand, exportCommand, auditCommand, backtestCommand, startCommand, consoleCommand, storeCommand, dbCommand, slackManifestCommand, discordRegisterCommand, helpCommand(() => commands));

export { dispatch } from './dispatch.js';
export type { CommandContext, CommandSpec } from './types.js';
