-- audit_log, audit_head: who read, exported, imported, erased or changed what, chained by hash
--
-- audit_log holds the entries (audit/audit.h): seq 1, 2, 3 … with no gap, each with
-- the hash of the entry before it and its own. audit_head holds the last entry's seq
-- and hash, moved in the transaction that appends, so two writers never take one
-- place and a removed tail shows. Entries are never changed or removed: the trigger
-- refuses it.

CREATE TABLE audit_log (
  seq               BIGINT  PRIMARY KEY,
  at                BIGINT  NOT NULL,
  user_id           BIGINT,
  actor             TEXT    NOT NULL,
  action            TEXT    NOT NULL,
  subject           TEXT    NOT NULL,
  detail            TEXT    NOT NULL,
  prev_hash         TEXT    NOT NULL,
  hash              TEXT    NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log(subject, seq);
CREATE INDEX audit_log_action ON audit_log(action, seq);

CREATE TABLE audit_head (
  id                BIGINT  PRIMARY KEY CHECK (id = 1),
  seq               BIGINT  NOT NULL,
  hash              TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
