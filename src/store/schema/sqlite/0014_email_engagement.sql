-- Opens and clicks of email sent to leads, with the request that made each
-- Every open and click Tandem's tracking links hear of: who asked (User-Agent, address),
-- and, when a machine did it (a mail privacy proxy, a scanner), why that is known
-- ('' for a reader). The send keeps the counts the API shows.
CREATE TABLE email_engagements (
  id          INTEGER PRIMARY KEY,
  send_id     INTEGER NOT NULL,  -- email_sends.id
  lead_id     INTEGER,           -- leads.id
  kind        TEXT    NOT NULL,  -- open | click
  url         TEXT    NOT NULL,  -- a click's link; '' for an open
  machine     TEXT    NOT NULL,  -- why a machine did it; '' for a reader
  user_agent  TEXT    NOT NULL,
  ip          TEXT    NOT NULL,
  at          INTEGER NOT NULL
);
CREATE INDEX email_engagements_send ON email_engagements(send_id, kind, at);
CREATE INDEX email_engagements_lead ON email_engagements(lead_id, id);
ALTER TABLE email_sends ADD COLUMN opens INTEGER NOT NULL DEFAULT 0;  -- by readers
ALTER TABLE email_sends ADD COLUMN machine_opens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE email_sends ADD COLUMN clicks INTEGER NOT NULL DEFAULT 0;  -- by readers
ALTER TABLE email_sends ADD COLUMN first_opened_at INTEGER;
ALTER TABLE email_sends ADD COLUMN first_clicked_at INTEGER;
