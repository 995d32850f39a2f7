-- Received email: replies, bounces, automatic replies and complaints, kept as evidence
-- Each message received (by IMAP or the API) once: its bytes (at most 256 KB, base64),
-- what it was, what it matched and what it changed. Rows are never changed; a message
-- received again (the same Message-ID, or the same bytes without one) is not written
-- again (dedup_key).

CREATE TABLE inbound_messages (
  id            INTEGER PRIMARY KEY,
  uid           TEXT    NOT NULL UNIQUE,  -- in_<random>
  dedup_key     TEXT    NOT NULL UNIQUE,  -- the Message-ID, or sha256:<hex> of the bytes
  message_id    TEXT    NOT NULL,
  via           TEXT    NOT NULL,  -- api | imap
  kind          TEXT    NOT NULL,  -- reply | hard_bounce | soft_bounce | auto_reply | complaint
  status        TEXT    NOT NULL,  -- applied | unmatched | untrusted
  from_address  TEXT    NOT NULL,
  subject       TEXT    NOT NULL,
  lead_id       INTEGER,           -- leads.id
  send_id       INTEGER,           -- email_sends.id
  matched_by    TEXT    NOT NULL,  -- message_id | address | ''
  address       TEXT    NOT NULL,  -- the recipient a bounce or complaint is about
  detail        TEXT    NOT NULL,  -- JSON: the classification and the changes made
  raw_base64    TEXT    NOT NULL,
  size          INTEGER NOT NULL,  -- of the whole message
  truncated     INTEGER NOT NULL,  -- raw_base64 holds only its first 256 KB
  received_at   INTEGER NOT NULL
);
CREATE INDEX inbound_messages_lead ON inbound_messages(lead_id, id);
CREATE INDEX inbound_messages_address ON inbound_messages(address, kind, received_at);
