import { parse } from 'csv-parse/sync';
import { expect } from 'vitest';
import { isoTime } from '../../src/domain/timeframe.js';
import type { NotificationRecord } from '../../src/store/types.js';

// A CSV export parsed back (csv-parse, no casting: every cell a string) and checked against the JSON output of the
// same command, cell by cell. Numbers must come back exactly (full precision), times as UTC ISO.

type Row = Record<string, string>;

export function parseCsv(csv: Buffer | string): { columns: string[]; rows: Row[] } {
  const lines = parse(csv, { skip_empty_lines: true }) as string[][];
  const [columns, ...body] = lines;
  return { columns, rows: body.map((cells) => Object.fromEntries(columns.map((c, i) => [c, cells[i]]))) };
}

const num = (cell: string | undefined): number | undefined => (cell === undefined || cell === '' ? undefined : Number(cell));
const text = (cell: string | undefined): string | undefined => (cell === '' ? undefined : cell);

export function expectMatrixCsv(csv: Buffer | string, data: { symbols: string[]; matrix: number[][] }): void {
  const { columns, rows } = parseCsv(csv);
  expect(columns).toEqual(['symbol', ...data.symbols]);
  expect(rows.map((r) => r.symbol)).toEqual(data.symbols);
  expect(rows.map((r) => data.symbols.map((s) => num(r[s])))).toEqual(data.matrix);
}

export function expectBacktestCsv(csv: Buffer | string, data: { alerts: Record<string, unknown>[] }): void {
  const { columns, rows } = parseCsv(csv);
  expect(rows).toHaveLength(data.alerts.length);
  data.alerts.forEach((a, i) => {
    // Every field of the JSON alert is a column, with the same value.
    for (const [k, v] of Object.entries(a)) {
      expect(columns, k).toContain(k);
      expect(typeof v === 'number' ? num(rows[i][k]) : rows[i][k], `${i}.${k}`).toEqual(v);
    }
    for (const c of columns) if (!(c in a)) expect(rows[i][c]).toBe('');
  });
}

export function expectForecastCsv(
  csv: Buffer | string,
  data: { avgCorrelation: { path: { at: string; mean: number; lo: number; hi: number }[] }; pairs: { a: string; b: string; now: number; forecast: number }[] },
): void {
  const { rows } = parseCsv(csv);
  const path = rows.filter((r) => r.section === 'path');
  const pairs = rows.filter((r) => r.section === 'pair');
  expect(path.length + pairs.length).toBe(rows.length);
  expect(path.map((r) => ({ at: r.at, mean: num(r.mean), lo: num(r.lo), hi: num(r.hi) }))).toEqual(data.avgCorrelation.path);
  expect(pairs.map((r) => ({ a: r.a, b: r.b, now: num(r.now), forecast: num(r.forecast) }))).toEqual(data.pairs);
  expect(data.pairs.length).toBeGreaterThan(0);
  expect(data.avgCorrelation.path.length).toBeGreaterThan(0);
}

export function expectAlertsCsv(csv: Buffer | string, records: NotificationRecord[]): void {
  const { rows } = parseCsv(csv);
  expect(rows).toHaveLength(records.length);
  records.forEach((rec, i) => {
    const r = rows[i];
    const d = Object.entries(rec.deliveries);
    expect(r.id).toBe(rec.id);
    expect(r.basket).toBe(rec.basket);
    expect(num(r.episode)).toBe(rec.episode);
    expect(r.kind).toBe(rec.kind);
    expect(r.at).toBe(isoTime(rec.at));
    expect(num(r.avgCorrelation)).toBe(rec.payload.avgCorrelation);
    expect(text(r.regime)).toBe(rec.payload.regime);
    expect(num(r.deliveries)).toBe(d.length);
    for (const s of ['sent', 'pending', 'failed']) expect(num(r[s]), s).toBe(d.filter(([, x]) => x.status === s).length);
    expect(r.targets.split('; ').filter(Boolean)).toEqual(d.map(([t, x]) => `${t} ${x.status}`));
    expect(text(r.acknowledgedBy)).toBe(rec.acknowledged?.by);
    expect(text(r.acknowledgedAt)).toBe(rec.acknowledged ? isoTime(rec.acknowledged.at) : undefined);
  });
}

export function expectAuditCsv(csv: Buffer | string, data: { at: string; platform: string; userId: string; action: string; basket: string | null; details: Record<string, unknown> }[]): void {
  const { columns, rows } = parseCsv(csv);
  expect(columns).toEqual(['at', 'platform', 'userId', 'action', 'basket', 'details']);
  expect(rows.map((r) => ({ at: r.at, platform: r.platform, userId: r.userId, action: r.action, basket: text(r.basket) ?? null, details: JSON.parse(r.details) }))).toEqual(data);
}
