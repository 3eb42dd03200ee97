/**
 * The candle cache in PostgreSQL (issue 13): with the store in PostgreSQL, replicas share the candles any of them
 * fetched. Tables `candle_series` and `candles` (migrations/002_candle_cache.ts); the same content and bound as a file
 * of the on-disk cache (candle-cache-file.ts): per key the fetched ranges and the newest maxBars closed candles.
 *
 * Loaded only when the store is PostgreSQL (src/app/market.ts imports it on first use), so lowdb users never load pg.
 */
import pg from 'pg';
import { KeyedSerialQueue } from '../domain/serial-queue.js';
import { connectionString, redactedUrl, type PostgresTarget } from '../store/postgres/connection.js';
import type { CandleCache, FetchedCandles } from './candle-cache.js';
import { CandleSeries, candlesToRows, DEFAULT_MAX_BARS, mergeRanges, type CachedCandles, type Range, type Row } from './candle-series.js';

export interface PostgresCandleCacheOptions {
  /** Bars kept per key (the newest ones); default 10 000. Every replica should use the same. */
  maxBars?: number;
  /** Keys held in memory at most (the least recently used beyond it are dropped, read again when used). Default 1000. */
  maxKeys?: number;
  /** Connections of the cache's own pool (default 4). */
  poolSize?: number;
}

/** What this process holds of a key: the series as of `revision` of its row in candle_series (0: nothing read yet). */
interface Entry {
  series: CandleSeries;
  revision: number;
}

interface SeriesRow {
  revision: string;
  ranges: Range[];
  kept_from: number | null;
  rows: Row[] | null;
}

/**
 * Candles per key in PostgreSQL, with this process's copy of each key used in memory (column-wise, as the file cache
 * keeps it; at most maxKeys keys). A read asks the database for the key's revision and the rows written since the copy
 * was taken (one statement; none when nothing changed), so what another replica fetched is used here without being
 * fetched again, and a tick reads its new bars only. A merge is one transaction holding the key's row (FOR UPDATE):
 * merges of one key by several replicas are applied one after the other, each on what the others left, with the bound
 * (the newest maxBars bars: older candles deleted and the ranges clipped) applied to the whole series, as the file
 * cache does.
 *
 * It is only a cache: a database that fails (down, the tables missing) is reported through `warn`, once until it
 * works again, and the cache goes on with what it holds in memory (a read serves the copy it has; a merge is kept in
 * memory), as the file cache does with a file it cannot write.
 */
export class PostgresCandleCache implements CandleCache {
  readonly maxBars: number;
  readonly maxKeys: number;
  readonly location: string;
  readonly #pool: pg.Pool;
  readonly #entries = new Map<string, Entry>();
  readonly #io = new KeyedSerialQueue();
  readonly #warn: (msg: string) => void;
  /** A failure was reported and nothing has worked since (one warning per outage, not one per key and tick). */
  #failing = false;

  constructor(target: PostgresTarget, warn: (msg: string) => void = () => {}, opts: PostgresCandleCacheOptions = {}) {
    this.maxBars = opts.maxBars ?? DEFAULT_MAX_BARS;
    this.maxKeys = opts.maxKeys ?? 1000;
    if (!Number.isInteger(this.maxBars) || this.maxBars < 1) throw new RangeError(`maxBars must be a positive integer, got ${this.maxBars}`);
    if (!Number.isInteger(this.maxKeys) || this.maxKeys < 1) throw new RangeError(`maxKeys must be a positive integer, got ${this.maxKeys}`);
    this.location = redactedUrl(target.url);
    this.#warn = warn;
    this.#pool = new pg.Pool({
      connectionString: connectionString(target),
      max: opts.poolSize ?? 4,
      application_name: 'corrwatch candle cache',
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 10_000,
      statement_timeout: 60_000,
      // A CLI query that used the cache exits without closing it.
      allowExitOnIdle: true,
    });
    this.#pool.on('error', () => undefined); // an idle connection the server closed: replaced on the next query
  }

  async read(key: string): Promise<CachedCandles | undefined> {
    return this.#io.run(key, async () => {
      const entry = this.#touch(key);
      try {
        await this.#sync(key, entry);
        this.#ok();
      } catch (e) {
        this.#failed('read', e);
      }
      return entry.series.isEmpty ? undefined : entry.series;
    });
  }

  async merge(key: string, fetched: FetchedCandles): Promise<void> {
    const rows = candlesToRows(fetched.candles);
    return this.#io.run(key, async () => {
      const entry = this.#touch(key);
      let written: { before: number; revision: number } | undefined;
      try {
        written = await this.#write(key, fetched.range, rows, fetched.timeframeMs);
        this.#ok();
      } catch (e) {
        this.#failed('write', e);
      }
      // The same merge in memory. When the copy was in step with the database before this merge, it now is again;
      // otherwise the next read brings what other replicas wrote meanwhile (and this merge with it).
      entry.series.mergeBounded(fetched.range, rows, fetched.timeframeMs, this.maxBars);
      if (written && written.before === entry.revision) entry.revision = written.revision;
    });
  }

  /** Close the pool (the process goes on without the cache's connections). */
  async close(): Promise<void> {
    await this.#io.idle();
    await this.#pool.end();
  }

  /** The key's entry, created empty when not held; the key becomes the most recently used. */
  #touch(key: string): Entry {
    let entry = this.#entries.get(key);
    if (entry) this.#entries.delete(key);
    else entry = { series: new CandleSeries(), revision: 0 };
    this.#entries.set(key, entry);
    if (this.#entries.size > this.maxKeys) this.#entries.delete(this.#entries.keys().next().value!);
    return entry;
  }

  /** Bring `entry` up to the database's revision of the key: the rows written since, the ranges, the bound. */
  async #sync(key: string, entry: Entry): Promise<void> {
    const r = await this.#pool.query<SeriesRow>(
      `SELECT s.revision, s.ranges, s.kept_from,
         (SELECT json_agg(json_build_array(c.t, c.o, c.h, c.l, c.c, c.v) ORDER BY c.t) FROM candles c WHERE c.key = s.key AND c.revision > $2) AS rows
       FROM candle_series s WHERE s.key = $1`,
      [key, entry.revision],
    );
    const row = r.rows[0];
    if (!row) return;
    const revision = Number(row.revision);
    if (revision === entry.revision) return;
    entry.series.add(row.ranges, row.rows ?? []);
    if (row.kept_from !== null) entry.series.dropBefore(row.kept_from);
    entry.revision = revision;
  }

  /**
   * One merge in one transaction: the key's row locked, the rows upserted with the next revision, the bound applied to
   * the whole series (as CandleSeries.mergeBounded does), the ranges merged. Returns the revisions before and after.
   */
  async #write(key: string, range: Range, rows: readonly Row[], timeframeMs: number): Promise<{ before: number; revision: number }> {
    const c = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await c.query('BEGIN');
      try {
        await c.query('INSERT INTO candle_series (key) VALUES ($1) ON CONFLICT (key) DO NOTHING', [key]);
        const locked = await c.query<{ revision: string; ranges: Range[]; kept_from: number | null; newest: number | null }>(
          'SELECT revision, ranges, kept_from, (SELECT max(t) FROM candles WHERE key = $1) AS newest FROM candle_series WHERE key = $1 FOR UPDATE',
          [key],
        );
        const stored = locked.rows[0];
        const before = Number(stored.revision);
        const revision = before + 1;
        const newest = Math.max(stored.newest ?? -Infinity, rows.length > 0 ? rows[rows.length - 1][0] : -Infinity);
        const cutoff = Number.isFinite(newest) ? newest + timeframeMs - this.maxBars * timeframeMs : -Infinity;
        const kept = rows.filter((row) => row[0] >= cutoff);
        const from = Math.max(range[0], cutoff);
        const ranges = clip(mergeRanges([...stored.ranges, ...(range[1] > from ? [[from, range[1]] as Range] : [])]), cutoff);
        if (kept.length > 0) {
          await c.query(
            `INSERT INTO candles (key, t, o, h, l, c, v, revision)
             SELECT $1, t, o, h, l, c, v, $8 FROM unnest($2::float8[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[]) AS x(t, o, h, l, c, v)
             ON CONFLICT (key, t) DO UPDATE SET o = EXCLUDED.o, h = EXCLUDED.h, l = EXCLUDED.l, c = EXCLUDED.c, v = EXCLUDED.v, revision = EXCLUDED.revision`,
            [key, ...[0, 1, 2, 3, 4, 5].map((i) => kept.map((row) => row[i])), revision],
          );
        }
        const keptFrom = Number.isFinite(cutoff) ? Math.max(cutoff, stored.kept_from ?? -Infinity) : stored.kept_from;
        if (keptFrom !== null) await c.query('DELETE FROM candles WHERE key = $1 AND t < $2', [key, keptFrom]);
        await c.query('UPDATE candle_series SET revision = $2, ranges = $3, kept_from = $4, updated_at = now() WHERE key = $1', [
          key,
          revision,
          JSON.stringify(ranges),
          keptFrom,
        ]);
        await c.query('COMMIT');
        return { before, revision };
      } catch (e) {
        await c.query('ROLLBACK').catch((rollbackFailed: Error) => (broken = rollbackFailed));
        throw e;
      }
    } finally {
      c.release(broken);
    }
  }

  #ok(): void {
    this.#failing = false;
  }

  #failed(what: 'read' | 'write', e: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    const code = (e as { code?: unknown }).code;
    const hint = code === '42P01' ? ' (its tables are missing: run `corrwatch db migrate`)' : '';
    this.#warn(
      `candle cache: cannot ${what} the candles in ${this.location}${hint}: ${(e as Error).message}; ${what === 'read' ? 'using what this process holds, fetching the rest' : 'continuing without caching'}`,
    );
  }
}

/** `ranges` (merged, sorted) without what lies before `cutoff`. */
function clip(ranges: Range[], cutoff: number): Range[] {
  if (!(cutoff > -Infinity)) return ranges;
  return ranges.filter(([, b]) => b > cutoff).map(([a, b]) => [Math.max(a, cutoff), b]);
}
