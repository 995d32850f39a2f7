-- users, leads, scores, assignments, outbox
--
-- Leads, users and everything sales and marketing do with them.

CREATE TABLE teams (
  name        TEXT PRIMARY KEY,
  created_at  INTEGER NOT NULL
);

CREATE TABLE users (
  id           INTEGER PRIMARY KEY,
  email        TEXT    NOT NULL UNIQUE,
  name         TEXT    NOT NULL,
  role         TEXT    NOT NULL,
  team         TEXT    REFERENCES teams(name),
  timezone     TEXT    NOT NULL,
  capacity     INTEGER NOT NULL,
  hours_start  INTEGER NOT NULL,  -- minutes after local midnight
  hours_end    INTEGER NOT NULL,
  active       INTEGER NOT NULL DEFAULT 1,
  ooo_from     INTEGER,           -- out of office, Unix ms, [from, until)
  ooo_until    INTEGER,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);

-- API tokens, stored as a hash: a leaked database does not leak credentials.
CREATE TABLE api_tokens (
  token_hash  TEXT    PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  created_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE accounts (
  domain      TEXT PRIMARY KEY,
  name        TEXT,
  created_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- A lead is a person as sales and marketing see it; its id is the person's.
-- Scores: fit is a plain sum; engagement_ref is the decayed engagement scaled to the
-- decay epoch (engagement now = engagement_ref * 2^-((now - epoch) / half-life)), so
-- one stored number orders leads by engagement at any moment.
CREATE TABLE leads (
  id               INTEGER PRIMARY KEY REFERENCES persons(id),
  email            TEXT,
  name             TEXT,
  title            TEXT,
  company_name     TEXT,
  account_domain   TEXT REFERENCES accounts(domain),
  traits           TEXT    NOT NULL,  -- current traits, JSON
  stage            TEXT    NOT NULL,
  stage_reason     TEXT,
  revisit_on       INTEGER,
  priority         TEXT,              -- hot | mql | NULL
  owner_id         INTEGER REFERENCES users(id),
  team             TEXT,
  queued           INTEGER NOT NULL DEFAULT 0,  -- waiting in the fallback queue
  fit              REAL    NOT NULL DEFAULT 0,
  engagement_ref   REAL    NOT NULL DEFAULT 0,
  first_touch      TEXT,              -- attribution, JSON
  last_touch       TEXT,
  visits           INTEGER NOT NULL DEFAULT 0,
  mql_at           INTEGER,
  sla_due_at       INTEGER,
  sla_met_at       INTEGER,
  sla_breached_at  INTEGER,
  last_activity_at INTEGER,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
CREATE INDEX leads_owner_sla ON leads(owner_id, sla_due_at, id);
CREATE INDEX leads_created ON leads(created_at, id);
CREATE INDEX leads_account ON leads(account_domain) WHERE account_domain IS NOT NULL;
CREATE INDEX leads_stage ON leads(stage);
CREATE INDEX leads_updated ON leads(updated_at);

-- Every trait value a lead has had, with the event that set it.
CREATE TABLE lead_trait_history (
  id        INTEGER PRIMARY KEY,
  lead_id   INTEGER NOT NULL REFERENCES leads(id),
  trait     TEXT    NOT NULL,
  value     TEXT,
  event_id  INTEGER REFERENCES events(id),
  at        INTEGER NOT NULL
);
CREATE INDEX lead_trait_history_lead ON lead_trait_history(lead_id, at);

-- The points behind each score: one row per fit rule that holds, per event an
-- engagement rule counted (after its daily cap).
CREATE TABLE score_items (
  id        INTEGER PRIMARY KEY,
  lead_id   INTEGER NOT NULL REFERENCES leads(id),
  axis      TEXT    NOT NULL,  -- fit | engagement
  rule      TEXT    NOT NULL,
  points    REAL    NOT NULL,
  at        INTEGER NOT NULL,
  day       INTEGER NOT NULL,  -- UTC day number, for caps per day
  event_id  INTEGER REFERENCES events(id),
  trait     TEXT
);
CREATE INDEX score_items_lead ON score_items(lead_id, axis, rule, day);

-- Ownership over time. At most one open assignment per lead, enforced by the index.
CREATE TABLE assignments (
  id          INTEGER PRIMARY KEY,
  lead_id     INTEGER NOT NULL REFERENCES leads(id),
  user_id     INTEGER NOT NULL REFERENCES users(id),
  rule        TEXT    NOT NULL,
  reason      TEXT    NOT NULL,
  candidates  TEXT    NOT NULL,  -- JSON: who was considered and why not chosen
  actor       TEXT    NOT NULL,
  started_at  INTEGER NOT NULL,
  ended_at    INTEGER,
  end_reason  TEXT
);
CREATE UNIQUE INDEX assignments_one_owner ON assignments(lead_id) WHERE ended_at IS NULL;
CREATE INDEX assignments_lead ON assignments(lead_id, started_at);

-- Round-robin state per team and user (stride scheduling; see routing/router.h).
CREATE TABLE routing_passes (
  team     TEXT    NOT NULL,
  user_id  INTEGER NOT NULL,
  pass     REAL    NOT NULL,
  PRIMARY KEY (team, user_id)
) WITHOUT ROWID;
CREATE TABLE routing_clocks (
  team          TEXT PRIMARY KEY,
  virtual_time  REAL NOT NULL
) WITHOUT ROWID;

-- What happened to a lead besides its events: stage changes, assignments, score
-- changes, outcomes. The timeline merges it with the events.
CREATE TABLE lead_log (
  id        INTEGER PRIMARY KEY,
  lead_id   INTEGER NOT NULL REFERENCES leads(id),
  at        INTEGER NOT NULL,
  kind      TEXT    NOT NULL,
  actor     TEXT    NOT NULL,
  data      TEXT    NOT NULL  -- JSON
);
CREATE INDEX lead_log_lead ON lead_log(lead_id, at);

-- Messages to the outside world, written in the same transaction as the change they
-- announce; deliveries track each one per webhook endpoint.
CREATE TABLE outbox (
  id          INTEGER PRIMARY KEY,
  uid         TEXT    NOT NULL UNIQUE,
  type        TEXT    NOT NULL,
  lead_id     INTEGER,
  payload     TEXT    NOT NULL,  -- the complete body, JSON
  created_at  INTEGER NOT NULL
);
CREATE TABLE deliveries (
  id               INTEGER PRIMARY KEY,
  outbox_id        INTEGER NOT NULL REFERENCES outbox(id),
  endpoint         TEXT    NOT NULL,  -- webhook URL
  lead_id          INTEGER,
  state            TEXT    NOT NULL,  -- pending | delivered | cancelled
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_status      INTEGER,
  last_error       TEXT,
  delivered_at     INTEGER
);
CREATE INDEX deliveries_pending ON deliveries(endpoint, lead_id, id) WHERE state = 'pending';

CREATE TABLE settings (
  name   TEXT PRIMARY KEY,
  value  TEXT NOT NULL
) WITHOUT ROWID;
