// Migration 1: the store's tables (issue 13). Plain SQL, kept in a TypeScript module so that tsc ships it in dist/
// with the code (a .sql file would need a copy step in the build and in the Dockerfile).
//
// Every value is kept whole, as the JSON the application wrote (type json keeps the text exactly: key order, unknown
// keys, numbers as written; the lowdb files hold the same JSON). The columns beside it are what the store looks
// things up, orders, constrains and claims by. `position` (an identity) is the order things were added in: lists come
// out in it, as the lowdb store's arrays do.
export default /* sql */ `
CREATE TABLE store_meta (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  created_at double precision NOT NULL,
  -- The config's baskets are seeded once in the store's life (a basket deleted later is not seeded again).
  seeded boolean NOT NULL DEFAULT false
);

CREATE TABLE baskets (
  name text PRIMARY KEY,
  position bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  doc json NOT NULL
);

CREATE TABLE subscriptions (
  position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  basket text NOT NULL,
  platform text NOT NULL,
  channel_id text NOT NULL,
  doc json NOT NULL,
  UNIQUE (basket, platform, channel_id)
);

-- What the watcher keeps per basket between ticks, without its regime history (doc.history is []).
CREATE TABLE runtimes (
  basket text PRIMARY KEY,
  doc json NOT NULL,
  -- The history rows of the basket and the newest one's time: whether a new history continues the stored one.
  history_count integer NOT NULL DEFAULT 0,
  history_last_at double precision,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per closed bar the detector saw, per basket: the newest store.maxHistory are kept.
CREATE TABLE regime_history (
  basket text NOT NULL,
  at double precision NOT NULL,
  doc json NOT NULL,
  PRIMARY KEY (basket, at)
);

-- The outbox: a notification the alert policy decided on (doc.deliveries is {}; acknowledged is its own column,
-- set once), and one row per delivery target.
CREATE TABLE notifications (
  id text PRIMARY KEY,
  position bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  basket text NOT NULL,
  episode double precision NOT NULL,
  kind text NOT NULL,
  at double precision NOT NULL,
  created_at double precision NOT NULL,
  doc json NOT NULL,
  acknowledged json
);
CREATE INDEX notifications_by_basket ON notifications (basket, position);

CREATE TABLE deliveries (
  notification_id text NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  target text NOT NULL,
  position bigint GENERATED ALWAYS AS IDENTITY,
  status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  attempts double precision NOT NULL,
  last_attempt_at double precision,
  in_flight boolean NOT NULL DEFAULT false,
  doc json NOT NULL,
  PRIMARY KEY (notification_id, target)
);
CREATE INDEX deliveries_undelivered ON deliveries (notification_id) WHERE status <> 'sent';

CREATE TABLE audit (
  position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at double precision NOT NULL,
  platform text NOT NULL,
  user_id text NOT NULL,
  action text NOT NULL,
  basket text,
  doc json NOT NULL
);
CREATE INDEX audit_by_basket ON audit (basket, position);
`;
