-- audit_log, audit_head: who read, exported, imported, erased or changed what, chained by hash
--
-- audit_log holds the entries (audit/audit.h): seq 1, 2, 3 … with no gap, each with
-- the hash of the entry before it and its own. audit_head holds the last entry's seq
-- and hash, moved in the transaction that appends, so two writers never take one
-- place and a removed tail shows. Entries are never changed or removed, and the head
-- only moves on by one: the triggers refuse anything else.

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
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The head only moves on by one entry (or is taken unchanged, to lock it) and stays.
CREATE OR REPLACE FUNCTION audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' OR NEW.id <> OLD.id OR NOT ((NEW.seq = OLD.seq AND NEW.hash = OLD.hash)
      OR NEW.seq = OLD.seq + 1) THEN
    RAISE EXCEPTION 'the audit head only moves on';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION audit_head_forward();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward();
