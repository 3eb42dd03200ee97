import { MAX_EXPORT_BYTES } from '../src/domain/limits.js';
import { alertsHistoryCommand } from './alerts.js';
import { auditCommand } from './audit.js';
import { csvAttachment, kb } from './csv-export.js';
import { forecastCommand } from './forecast.js';
import { matrixCommand } from './matrix.js';
import type { CommandSpec } from './types.js';

/**
 * `export <what> ...` in chat: the CSV that `--csv FILE` writes on the CLI, attached to the answer (a Slack file, a
 * Discord attachment, a file saved by the console). Chat input never names a path: the file is handed over, at most
 * MAX_EXPORT_BYTES. Each subcommand takes the arguments of the command it exports and keeps its admin flag; the ones
 * that compute (matrix, forecast) are `heavy` and run in the query worker pool like the commands themselves.
 */
function exportOf(inner: CommandSpec, name: string, what: string, examples: string[]): CommandSpec {
  const csv = inner.csv;
  const handler = inner.handler;
  if (!csv || !handler) throw new Error(`export ${name}: ${inner.name} declares no CSV`);
  return {
    name,
    summary: `a CSV file of ${what} (at most ${kb(MAX_EXPORT_BYTES)})`,
    adminOnly: inner.adminOnly,
    heavy: inner.heavy,
    args: inner.args,
    examples,
    async handler(ctx, args) {
      // The numbers only: no chart is drawn for an export.
      const reply = await handler({ ...ctx, renderCharts: false }, args);
      if (reply.data === undefined) return reply;
      const { attachment, rows } = csvAttachment(csv, reply.data, MAX_EXPORT_BYTES);
      if (rows === 0) return { ...reply, text: `${reply.text ? reply.text + '\n' : ''}Nothing to export.` };
      return {
        title: `${attachment.title}: ${attachment.filename}`,
        text: `${rows} row${rows === 1 ? '' : 's'}, ${kb(attachment.content.length)}. The same columns as \`corrwatch ${inner.name === 'history' ? 'alerts history' : inner.name} --csv FILE\` on the command line.`,
        footer: reply.footer,
        severity: 'info',
        ephemeral: reply.ephemeral,
        data: reply.data,
        attachment,
      };
    },
  };
}

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: 'a CSV file of a matrix, a forecast, the alert history or the audit log, attached to the answer',
  adminOnly: false,
  surfaces: ['chat'],
  args: [],
  examples: ['export matrix majors', 'export forecast majors 24h', 'export alerts majors', 'export audit'],
  subcommands: [
    exportOf(matrixCommand, 'matrix', 'the correlation matrix, one row per symbol', ['export matrix majors', 'export matrix BTC ETH SOL 30d']),
    exportOf(forecastCommand, 'forecast', 'the forecast path (at, mean, lo, hi) and each pair', ['export forecast majors 24h']),
    exportOf(alertsHistoryCommand, 'alerts', "a basket's alert history, one row per alert with its deliveries", ['export alerts majors']),
    exportOf(auditCommand, 'audit', 'the audit log', ['export audit --limit 500']),
  ],
};
