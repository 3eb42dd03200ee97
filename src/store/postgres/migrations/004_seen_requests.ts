// Migration 4: requests seen by any replica (issue 13, replicas behind a load balancer), so that a signed Slack request
// replayed to another replica than the one that answered it is refused too (PostgresStore.firstSeen, used by the Slack
// adapter's replay guard). A row lives until expires_at (ms since the epoch): Slack refuses a request older than five
// minutes itself, so nothing older needs remembering; expired rows are deleted as new ones come.
export default /* sql */ `
CREATE TABLE seen_requests (
  key text PRIMARY KEY,
  expires_at double precision NOT NULL
);
CREATE INDEX seen_requests_expires_at ON seen_requests (expires_at);
`;
