/**
 * A market source over a folder of CSV files (`csv:data/prices/`): every `*.csv` file directly in it is read as
 * csv-source.ts reads one file, and each symbol is served by the file that holds it. This is how most downloads
 * come, one file a symbol (`SPY.csv`, `QQQ.csv` from Yahoo Finance or Stooq: the one-symbol layout of
 * csv-header.ts, named by the file), and wide or long files of several symbols may sit beside them.
 *
 * - The folder is listed on every query (queries issued together share one listing), so a file added or removed
 *   counts at once; each file is re-read when it changes, as a single file is.
 * - A symbol held by two files is refused with both names: which one to trust is the user's call.
 * - A file that cannot be read does not stop the others: a symbol found elsewhere is served, and a symbol found
 *   nowhere is refused with the unreadable files' errors beside it, as it may be in one of them.
 */
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Calendar } from '../domain/calendar.js';
import { UserError } from '../domain/errors.js';
import { didYouMean } from '../domain/suggest.js';
import { msToTimeframe, timeframeMs } from '../domain/timeframe.js';
import { createCsvSource, type CsvMarketSource, type CsvSourceOptions } from './csv-source.js';

interface SymbolMap {
  /** Upper-cased symbol → the file source holding it and the symbol as written there. */
  owners: Map<string, { file: string; source: CsvMarketSource; symbol: string }>;
  /** Files that could not be read, with the reason. */
  failures: { file: string; message: string }[];
}

/** Files read or checked at the same time. */
const READ_AT_ONCE = 16;

export function createCsvDirectorySource(dir: string, opts: CsvSourceOptions = {}): CsvMarketSource {
  const name = `${basename(dir.replace(/[/\\]+$/, '')) || dir}/`;
  const sources = new Map<string, CsvMarketSource>();

  /** The .csv files in the folder now (listed on every call: a folder of hundreds of files lists in microseconds). */
  const list = async (): Promise<string[]> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new UserError('csv_not_found', `${name}: no such folder (${dir})`);
      if (code === 'ENOTDIR') throw new UserError('csv_not_found', `${name}: ${dir} is not a folder`);
      throw new UserError('csv_unreadable', `${name}: cannot list ${dir} (${code ?? (e as Error).message})`);
    }
    const files = entries
      .filter((d) => (d.isFile() || d.isSymbolicLink()) && /\.csv$/i.test(d.name) && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort();
    for (const f of [...sources.keys()]) if (!files.includes(f)) sources.delete(f);
    if (files.length === 0) throw new UserError('csv_not_found', `${name}: no .csv files in ${dir}`);
    return files;
  };

  const sourceOf = (file: string): CsvMarketSource => {
    let s = sources.get(file);
    if (!s) sources.set(file, (s = createCsvSource(join(dir, file), opts)));
    return s;
  };

  /** The listing in progress: queries issued together (a basket's symbols) share one listing of the folder. */
  let pendingMap: Promise<SymbolMap> | undefined;
  const symbolMap = (): Promise<SymbolMap> =>
    (pendingMap ??= buildSymbolMap().finally(() => {
      pendingMap = undefined;
    }));

  const buildSymbolMap = async (): Promise<SymbolMap> => {
    const files = await list();
    const owners: SymbolMap['owners'] = new Map();
    const failures: SymbolMap['failures'] = [];
    const listed: { file: string; symbols: string[] }[] = [];
    // A few files at a time: a folder of thousands must not open thousands of files at once (EMFILE).
    for (let i = 0; i < files.length; i += READ_AT_ONCE) {
      const batch = files.slice(i, i + READ_AT_ONCE).map(async (file) => {
        try {
          return { file, symbols: await sourceOf(file).listSymbols() };
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          failures.push({ file, message: e.message });
          return { file, symbols: [] };
        }
      });
      listed.push(...(await Promise.all(batch)));
    }
    for (const { file, symbols } of listed) {
      for (const symbol of symbols) {
        const up = symbol.toUpperCase();
        const held = owners.get(up);
        if (held) throw new UserError('bad_csv', `${name}: ${symbol} is in both ${held.file} and ${file}; keep it in one of them`);
        owners.set(up, { file, source: sourceOf(file), symbol });
      }
    }
    return { owners, failures };
  };

  /** The file source holding a user-typed symbol; UserError('unknown_symbol') with a suggestion. */
  const ownerOf = async (symbol: string): Promise<CsvMarketSource> => {
    const typed = symbol.trim();
    const { owners, failures } = await symbolMap();
    const held = owners.get(typed.toUpperCase());
    if (held) return held.source;
    const all = [...owners.values()].map((o) => o.symbol);
    const hint = didYouMean(typed, all);
    const listing = !hint && all.length <= 20 ? ` (it has ${all.join(', ')})` : '';
    const unread = failures.length ? `; ${failures.length === 1 ? 'one file' : `${failures.length} files`} could not be read: ${failures.map((f) => f.message).join('; ')}` : '';
    throw new UserError('unknown_symbol', `${typed} is not in ${name}${hint || listing}${unread}`);
  };

  return {
    id: `csv:${dir}`,
    venue: name,
    async fetchCandles(symbol, timeframe, since, until, fetchOpts) {
      return (await ownerOf(symbol)).fetchCandles(symbol, timeframe, since, until, fetchOpts);
    },
    async listSymbols() {
      return [...(await symbolMap()).owners.values()].map((o) => o.symbol).sort();
    },
    async resolveSymbol(symbol) {
      return (await ownerOf(symbol)).resolveSymbol(symbol);
    },
    /** The files' bar interval; when they differ, the coarsest (finer files are resampled to it). */
    async nativeTimeframe() {
      const { owners } = await symbolMap();
      const distinct = new Set([...owners.values()].map((o) => o.source));
      let coarsest: number | undefined;
      for (const s of distinct) {
        const tf = await s.nativeTimeframe!();
        if (tf !== undefined) coarsest = Math.max(coarsest ?? 0, timeframeMs(tf));
      }
      return coarsest === undefined ? undefined : msToTimeframe(coarsest);
    },
    /** The newest bar any file has at this timeframe (a file that ends earlier shows as that symbol's missing bars). */
    async latestBarTime(timeframe) {
      const { owners } = await symbolMap();
      let latest: number | undefined;
      let refusal: { file: string; error: Error } | undefined;
      const files = new Map([...owners.values()].map((o) => [o.source, o.file]));
      for (const [s, file] of files) {
        try {
          const t = await s.latestBarTime!(timeframe);
          if (t !== undefined) latest = Math.max(latest ?? -Infinity, t);
        } catch (e) {
          refusal ??= { file, error: e as Error };
        }
      }
      if (latest === undefined && refusal !== undefined) {
        // No file serves this timeframe: said of the folder ("prices/ has 1d bars: use 1d or ..."), not of one file.
        const { file, error } = refusal;
        if (error instanceof UserError && error.message.startsWith(file)) throw new UserError(error.code, name + error.message.slice(file.length));
        throw error;
      }
      return latest;
    },
    async calendar(symbol): Promise<Calendar> {
      return (await ownerOf(symbol)).calendar(symbol);
    },
    async describeCalendar(symbol) {
      return (await ownerOf(symbol)).describeCalendar(symbol);
    },
  };
}
