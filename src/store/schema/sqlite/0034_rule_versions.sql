-- rule_versions: the scoring and routing rules, every version kept
--
-- The rules that score leads and choose their team are edited in the web app as well
-- as in tandem.toml: each change is a new version (the TOML of [scoring] and
-- [routing]), with who made it, when and why; the newest is in force on every instance.

CREATE TABLE rule_versions (
  version     INTEGER PRIMARY KEY,
  toml        TEXT    NOT NULL,
  origin      TEXT    NOT NULL,  -- config, app
  created_by  INTEGER,               -- users.id
  note        TEXT    NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL
);
