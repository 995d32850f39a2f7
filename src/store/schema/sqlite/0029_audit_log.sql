-- audit_log, audit_head: who read, exported, imported, erased or changed what, chained by hash
--
-- audit_log holds the entries (audit/audit.h): seq 1, 2, 3 … with no gap, each with
-- the hash of the entry before it and its own. audit_head holds the last entry's seq
-- and hash, moved in the transaction that appends, so two writers never take one
-- place and a removed tail shows. Entries are never changed or removed, and the head
-- only moves on by one: the triggers refuse anything else.

CREATE TABLE audit_log (
  seq               INTEGER PRIMARY KEY,
  at                INTEGER NOT NULL,
  user_id           INTEGER,
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
  id                INTEGER PRIMARY KEY CHECK (id = 1),
  seq               INTEGER NOT NULL,
  hash              TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- The head only moves on by one entry (or is taken unchanged, to lock it) and stays.
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
WHEN NOT ((NEW.seq = OLD.seq AND NEW.hash = OLD.hash) OR NEW.seq = OLD.seq + 1) OR NEW.id != OLD.id
BEGIN
  SELECT RAISE(ABORT, 'the audit head only moves on');
END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
  SELECT RAISE(ABORT, 'the audit head only moves on');
END;
