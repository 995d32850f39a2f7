-- A queued message's rendered parts, kept apart from its send's row
-- A send's row changes three times on its way out (claimed, attempt begun, result). With the
-- rendered message (about 20 KB) in the row, each change rewrote it all, overflow pages and
-- all; here the parts are written once and dropped once the message is sent or cancelled.
CREATE TABLE email_bodies (
  send_id  BIGINT  PRIMARY KEY,  -- email_sends.id
  html     TEXT    NOT NULL,
  text     TEXT    NOT NULL
);
INSERT INTO email_bodies (send_id, html, text)
  SELECT id, html, text FROM email_sends WHERE html <> '' OR text <> '';
ALTER TABLE email_sends DROP COLUMN html;
ALTER TABLE email_sends DROP COLUMN text;
