-- contact preferences, consents, touches, SLA timers
--
-- The contact gate (preferences, consents, touches, refusals) and SLA timers.

-- The follow-up SLA of each assignment (see AssignmentRecord).
ALTER TABLE assignments ADD COLUMN sla_due_at INTEGER;
ALTER TABLE assignments ADD COLUMN sla_warn_at INTEGER;
ALTER TABLE assignments ADD COLUMN sla_reminded_at INTEGER;
ALTER TABLE assignments ADD COLUMN sla_breached_at INTEGER;
ALTER TABLE assignments ADD COLUMN first_touch_at INTEGER;
-- Timers still to fire: open assignments not yet touched nor breached.
CREATE INDEX assignments_sla_timers ON assignments(sla_warn_at)
  WHERE ended_at IS NULL AND first_touch_at IS NULL AND sla_breached_at IS NULL;
CREATE INDEX assignments_started ON assignments(started_at);

-- The first outbound touch: leads that reached MQL without one are the leak report.
ALTER TABLE leads ADD COLUMN contacted_at INTEGER;
CREATE INDEX leads_never_contacted ON leads(mql_at, stage)
  WHERE mql_at IS NOT NULL AND contacted_at IS NULL;

-- How a person wants to be reached; absent = defaults.
CREATE TABLE contact_prefs (
  lead_id            INTEGER PRIMARY KEY,
  preferred_channel  TEXT,
  timezone           TEXT,
  do_not_contact     TEXT    NOT NULL DEFAULT '{}',  -- JSON: channel -> reason
  ooo_from           INTEGER,
  ooo_until          INTEGER,
  unsubscribed_at    INTEGER,
  address_source     TEXT,
  updated_at         INTEGER NOT NULL
);

-- Consents given and withdrawn, as they happened (append-only).
CREATE TABLE consents (
  id              INTEGER PRIMARY KEY,
  lead_id         INTEGER NOT NULL,
  purpose         TEXT    NOT NULL,
  status          TEXT    NOT NULL,  -- granted | withdrawn
  at              INTEGER NOT NULL,
  method          TEXT    NOT NULL,
  form_id         TEXT,
  wording         TEXT,
  actor           TEXT    NOT NULL,
  address_source  TEXT
);
CREATE INDEX consents_lead ON consents(lead_id, at);

-- Every contact, recorded through the contact gate (append-only).
CREATE TABLE touches (
  id               INTEGER PRIMARY KEY,
  lead_id          INTEGER NOT NULL,
  user_id          INTEGER,
  channel          TEXT    NOT NULL,
  purpose          TEXT    NOT NULL,
  direction        TEXT    NOT NULL,  -- outbound | inbound
  note             TEXT,
  override_reason  TEXT,
  overridden       TEXT    NOT NULL DEFAULT '[]',
  warnings         TEXT    NOT NULL DEFAULT '[]',
  at               INTEGER NOT NULL
);
CREATE INDEX touches_lead ON touches(lead_id, at);

-- Touches the gate refused, for the hygiene report.
CREATE TABLE gate_refusals (
  id          INTEGER PRIMARY KEY,
  lead_id     INTEGER NOT NULL,
  user_id     INTEGER,
  channel     TEXT    NOT NULL,
  purpose     TEXT    NOT NULL,
  codes       TEXT    NOT NULL,  -- JSON array of blocking reason codes
  concurrent  INTEGER NOT NULL,
  at          INTEGER NOT NULL
);
CREATE INDEX gate_refusals_at ON gate_refusals(at);
