-- password_links: a first password for an invited user, a new one after a reset
--
-- An admin or a manager invites a user, or resets a password: the user gets a link
-- that sets a password once. Only the hash of the link's secret is kept; a link is
-- used at most once, expires, and a newer link for the same user ends older ones.

CREATE TABLE password_links (
  token_hash  TEXT   PRIMARY KEY,
  user_id     BIGINT NOT NULL,  -- users.id
  purpose     TEXT   NOT NULL,  -- invite, reset
  created_by  BIGINT,           -- users.id; null from the command line
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL,
  used_at     BIGINT
);
CREATE INDEX password_links_user ON password_links(user_id);
