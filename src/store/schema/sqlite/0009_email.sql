-- Email: templates (every saved version), saved lead filters, broadcasts, each
-- message's send (the outbox row its sender claims) and suppressed addresses.

CREATE TABLE email_templates (
  key         TEXT    NOT NULL,
  version     INTEGER NOT NULL,
  name        TEXT    NOT NULL,
  purpose     TEXT    NOT NULL,  -- sales_outreach | email_marketing
  subject     TEXT    NOT NULL,
  preheader   TEXT    NOT NULL,
  html        TEXT    NOT NULL,
  layout      TEXT    NOT NULL,  -- default | none
  created_by  INTEGER,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (key, version)
) WITHOUT ROWID;

CREATE TABLE lead_filters (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  query       TEXT    NOT NULL,  -- the lead list's filter parameters, a query string
  created_by  INTEGER,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE broadcasts (
  id                INTEGER PRIMARY KEY,
  name              TEXT    NOT NULL,
  template_key      TEXT    NOT NULL,
  template_version  INTEGER NOT NULL,
  filter_id         INTEGER NOT NULL,
  filter_query      TEXT    NOT NULL,
  state             TEXT    NOT NULL,  -- draft | scheduled | sending | paused | cancelled | done
  scheduled_at      INTEGER,
  started_at        INTEGER,
  finished_at       INTEGER,
  next_lead_id      INTEGER NOT NULL DEFAULT 0,
  created_by        INTEGER,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
);

CREATE TABLE email_sends (
  id                INTEGER PRIMARY KEY,
  uid               TEXT    NOT NULL UNIQUE,
  kind              TEXT    NOT NULL,  -- one_to_one | broadcast | notification | test
  lead_id           INTEGER,
  broadcast_id      INTEGER,
  user_id           INTEGER,
  touch_id          INTEGER,
  template_key      TEXT    NOT NULL,
  template_version  INTEGER NOT NULL,
  to_address        TEXT    NOT NULL,
  to_name           TEXT    NOT NULL,
  subject           TEXT    NOT NULL,
  html              TEXT    NOT NULL,  -- kept until sent
  text              TEXT    NOT NULL,
  message_id        TEXT    NOT NULL UNIQUE,
  marketing         INTEGER NOT NULL,
  unsubscribe_url   TEXT    NOT NULL,
  status            TEXT    NOT NULL,
  reason            TEXT    NOT NULL,
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   INTEGER NOT NULL,  -- while sending: the end of the claim
  last_code         INTEGER NOT NULL DEFAULT 0,
  last_error        TEXT    NOT NULL DEFAULT '',
  created_at        INTEGER NOT NULL,
  sent_at           INTEGER,
  updated_at        INTEGER NOT NULL
);
CREATE INDEX email_sends_due ON email_sends(next_attempt_at, id)
  WHERE status IN ('queued', 'retrying', 'sending');
CREATE INDEX email_sends_broadcast ON email_sends(broadcast_id, status);
CREATE INDEX email_sends_lead ON email_sends(lead_id, id);

CREATE TABLE email_suppressions (
  address     TEXT    PRIMARY KEY,
  reason      TEXT    NOT NULL,  -- bounce | complaint | manual
  detail      TEXT    NOT NULL,
  created_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- How each user hears of new leads, SLA reminders and breaches: email | none.
ALTER TABLE users ADD COLUMN notify_by TEXT NOT NULL DEFAULT 'email';
