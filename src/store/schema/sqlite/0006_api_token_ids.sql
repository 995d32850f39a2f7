-- API token ids, names, expiry and last use
--
-- API tokens get an id to list and revoke them by, a name, an optional expiry and the
-- time of their last use (recorded at most once a minute). Sign-in failures are no longer
-- counted per user: throttling happens in memory per address and per client (auth/).

CREATE TABLE api_tokens_v6 (
  id            INTEGER PRIMARY KEY,
  token_hash    TEXT    NOT NULL UNIQUE,
  user_id       INTEGER NOT NULL REFERENCES users(id),
  name          TEXT    NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER,
  last_used_at  INTEGER
);
INSERT INTO api_tokens_v6 (token_hash, user_id, created_at)
  SELECT token_hash, user_id, created_at FROM api_tokens ORDER BY created_at, token_hash;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_v6 RENAME TO api_tokens;
CREATE INDEX api_tokens_user ON api_tokens(user_id);
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;
