// Migration 2: the candle cache as tables (issue 13), so that replicas share the candles any of them fetched
// (src/market/candle-cache-postgres.ts). The same content as a file of the on-disk cache (candle-cache-file.ts): per
// key (`source|symbol|timeframe`) the fetched ranges and the newest cache.maxBars closed candles.
//
// Each merge of a key is one transaction that bumps the key's `revision` and stamps the rows it writes with it, so a
// process holding the key in memory reads back only the rows written since (`revision > n`), not the whole series.
export default /* sql */ `
CREATE TABLE candle_series (
  key text PRIMARY KEY,
  -- Bumped by every merge of the key; a candle row carries the revision that last wrote it.
  revision bigint NOT NULL DEFAULT 0,
  -- The fetched ranges [[from, to), ...] in epoch ms, merged and sorted, clipped at kept_from.
  ranges json NOT NULL DEFAULT '[]',
  -- The bound: candles older than this were dropped (the newest maxBars bars are kept); null before any.
  kept_from double precision,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One closed candle per key and open time; o, h, l, v null when the source did not give them.
CREATE TABLE candles (
  key text NOT NULL REFERENCES candle_series (key) ON DELETE CASCADE,
  t double precision NOT NULL,
  o double precision,
  h double precision,
  l double precision,
  c double precision NOT NULL CHECK (c > 0),
  v double precision,
  revision bigint NOT NULL,
  PRIMARY KEY (key, t)
);
CREATE INDEX candles_by_revision ON candles (key, revision);
`;
