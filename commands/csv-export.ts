import { stringify } from 'csv-stringify/sync';
import { UserError } from '../src/domain/errors.js';
import type { ReplyAttachment } from '../src/domain/reply.js';
import { isoTime } from '../src/domain/timeframe.js';
import type { AuditEntry, NotificationRecord } from '../src/store/types.js';
import type { ArgSpec } from './types.js';

/**
 * CSV exports (issue 14): what a command's JSON output (`reply.data`) holds, as rows a spreadsheet opens. Declared
 * on the command spec (`csv`), written to a file by `--csv FILE` on the CLI and attached to the answer by
 * `/corr export ...` in chat. Numbers are written as JavaScript prints them (full precision, as in the JSON); times
 * as UTC ISO-8601; quoting is csv-stringify's (RFC 4180).
 */
export interface CsvExport {
  /** Column names, then one array of cells per row, built from the command's `reply.data`. */
  table(data: unknown): { columns: string[]; rows: Cell[][] };
  /** The file name offered in chat, e.g. `matrix-majors.csv` (the CLI writes to the path given). */
  filename(data: unknown): string;
  /** What the file is, for the upload's title. */
  title(data: unknown): string;
}

export type Cell = string | number | boolean | null | undefined;

export const csvArg: ArgSpec = { name: 'csv', type: 'file', cliOnly: true, description: 'also write the result as CSV to this file' };

/** The CSV text of a table: a header line, then one line per row (CRLF-free, `\n` line ends). */
export function csvText(columns: string[], rows: Cell[][]): string {
  return stringify(rows, { header: true, columns, cast: { boolean: (v) => String(v) } });
}

/** A file name part from a free label (`ad-hoc`, `BTC ETH SOL`): letters, digits, dot, dash. */
function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'export';
}

/** The attachment for `data`; `maxBytes` (chat: MAX_EXPORT_BYTES) refuses a larger file with a clear message. */
export function csvAttachment(exp: CsvExport, data: unknown, maxBytes = Infinity): { attachment: ReplyAttachment; rows: number } {
  const t = exp.table(data);
  const content = Buffer.from(csvText(t.columns, t.rows), 'utf8');
  const filename = exp.filename(data);
  if (content.length > maxBytes) {
    throw new UserError(
      'export_too_large',
      `${filename} would be ${kb(content.length)} (${t.rows.length} rows), more than a chat export takes (${kb(maxBytes)}); ask for less (a shorter window, fewer symbols, a lower limit) or use the CLI's --csv FILE, which has no limit`,
    );
  }
  return { attachment: { filename, content, mime: 'text/csv', title: exp.title(data) }, rows: t.rows.length };
}

export function kb(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} kB`;
}

// ---- the exports ----------------------------------------------------------------------------------------------

interface MatrixData {
  symbols: string[];
  matrix: number[][];
}

/** matrix: one row per symbol, `symbol` then one column per symbol with its correlation (the JSON `matrix`). */
export const matrixCsv: CsvExport = {
  table(data) {
    const d = data as MatrixData;
    return { columns: ['symbol', ...d.symbols], rows: d.symbols.map((s, i) => [s, ...d.matrix[i]]) };
  },
  filename: (data) => `matrix-${slug((data as MatrixData).symbols.join('-'))}.csv`,
  title: (data) => `Correlation matrix of ${(data as MatrixData).symbols.join(' ')}`,
};

interface BacktestData {
  basket: string;
  alerts: { at: string; state: string; regime: string; avgCorrelation: number; z: number; episode: number; durationHours?: number; peakAvgCorrelation?: number; reason: string }[];
}

export const BACKTEST_COLUMNS = ['at', 'state', 'regime', 'avgCorrelation', 'z', 'episode', 'durationHours', 'peakAvgCorrelation', 'reason'] as const;

/** backtest: one row per alert it would have sent (the JSON `alerts`); empty cells where a field is absent. */
export const backtestCsv: CsvExport = {
  table(data) {
    const d = data as BacktestData;
    return { columns: [...BACKTEST_COLUMNS], rows: d.alerts.map((a) => BACKTEST_COLUMNS.map((c) => a[c])) };
  },
  filename: (data) => `backtest-${slug((data as BacktestData).basket)}.csv`,
  title: (data) => `Backtest alerts of ${(data as BacktestData).basket}`,
};

export const ALERTS_COLUMNS = ['id', 'basket', 'episode', 'kind', 'at', 'avgCorrelation', 'regime', 'deliveries', 'sent', 'pending', 'failed', 'targets', 'acknowledgedBy', 'acknowledgedAt'] as const;

/** One notification's deliveries, summarized: counts by status and `target status` pairs. */
export function deliverySummary(r: NotificationRecord): { deliveries: number; sent: number; pending: number; failed: number; targets: string } {
  const d = Object.entries(r.deliveries);
  const count = (s: string) => d.filter(([, x]) => x.status === s).length;
  return { deliveries: d.length, sent: count('sent'), pending: count('pending'), failed: count('failed'), targets: d.map(([t, x]) => `${t} ${x.status}`).join('; ') };
}

/**
 * alerts history: one row per notification (the JSON records), newest first; `at` and `acknowledgedAt` as ISO
 * times (the JSON has epoch ms); avg ρ and regime from the alert's payload; deliveries as counts by status and
 * `targets` (`slack:C123 sent; discord:456 failed`).
 */
export const alertsHistoryCsv: CsvExport = {
  table(data) {
    const recs = data as NotificationRecord[];
    const rows = recs.map((r) => {
      const p = r.payload as { avgCorrelation?: unknown; regime?: unknown };
      const s = deliverySummary(r);
      const cells: Record<(typeof ALERTS_COLUMNS)[number], Cell> = {
        id: r.id,
        basket: r.basket,
        episode: r.episode,
        kind: r.kind,
        at: isoTime(r.at),
        avgCorrelation: typeof p.avgCorrelation === 'number' ? p.avgCorrelation : undefined,
        regime: typeof p.regime === 'string' ? p.regime : undefined,
        ...s,
        acknowledgedBy: r.acknowledged?.by,
        acknowledgedAt: r.acknowledged ? isoTime(r.acknowledged.at) : undefined,
      };
      return ALERTS_COLUMNS.map((c) => cells[c]);
    });
    return { columns: [...ALERTS_COLUMNS], rows };
  },
  filename: (data) => `alerts-${slug((data as NotificationRecord[])[0]?.basket ?? 'none')}.csv`,
  title: (data) => `Alert history of ${(data as NotificationRecord[])[0]?.basket ?? 'a basket'}`,
};

interface ForecastData {
  basket: string | null;
  symbols: string[];
  horizon: string;
  avgCorrelation: { path: { at: string; mean: number; lo: number; hi: number }[] };
  pairs: { a: string; b: string; now: number; forecast: number }[];
}

export const FORECAST_COLUMNS = ['section', 'at', 'mean', 'lo', 'hi', 'a', 'b', 'now', 'forecast'] as const;

/**
 * forecast: one file, two sections told apart by the first column. `section=path`: one row per bar ahead with `at`,
 * `mean`, `lo`, `hi` (the JSON `avgCorrelation.path`); then `section=pair`: one row per pair with `a`, `b`, `now`,
 * `forecast` (the JSON `pairs`). Cells a section does not use are empty.
 */
export const forecastCsv: CsvExport = {
  table(data) {
    const d = data as ForecastData;
    const path = d.avgCorrelation.path.map((p) => ['path', p.at, p.mean, p.lo, p.hi, undefined, undefined, undefined, undefined]);
    const pairs = d.pairs.map((p) => ['pair', undefined, undefined, undefined, undefined, p.a, p.b, p.now, p.forecast]);
    return { columns: [...FORECAST_COLUMNS], rows: [...path, ...pairs] };
  },
  filename: (data) => `forecast-${slug((data as ForecastData).basket ?? (data as ForecastData).symbols.join('-'))}-${slug((data as ForecastData).horizon)}.csv`,
  title: (data) => `Forecast of ${(data as ForecastData).basket ?? (data as ForecastData).symbols.join(' ')} ${(data as ForecastData).horizon} ahead`,
};

/** An audit entry as `audit --json` prints it: the time as UTC ISO. */
export interface AuditRow {
  at: string;
  platform: string;
  userId: string;
  action: string;
  basket: string | null;
  details: Record<string, unknown>;
}

export function auditRow(e: AuditEntry): AuditRow {
  return { at: isoTime(e.at), platform: e.platform, userId: e.userId, action: e.action, basket: e.basket ?? null, details: e.details };
}

export const AUDIT_COLUMNS = ['at', 'platform', 'userId', 'action', 'basket', 'details'] as const;

/** audit: one row per entry, newest first; `details` as a JSON object in one cell. */
export const auditCsv: CsvExport = {
  table(data) {
    const rows = (data as AuditRow[]).map((e) => [e.at, e.platform, e.userId, e.action, e.basket ?? undefined, JSON.stringify(e.details)]);
    return { columns: [...AUDIT_COLUMNS], rows };
  },
  filename: () => 'audit.csv',
  title: () => 'corrwatch audit log',
};
