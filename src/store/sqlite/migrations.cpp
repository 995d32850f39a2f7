#include "store/sqlite/migrations.h"

#include <array>

namespace tandem::sqlite {
namespace {

// Times are Unix milliseconds (UTC). Foreign keys are declared for readers of the
// schema; SQLite does not enforce them here (the ingest path checks its sources).
constexpr std::string_view kV1 = R"sql(
CREATE TABLE sources (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL,
  write_key   TEXT    NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL
);

-- A human, found through identities. A merged person keeps its row with merged_into
-- set, so ids handed out earlier still resolve.
CREATE TABLE persons (
  id           INTEGER PRIMARY KEY,
  user_id      TEXT,
  email        TEXT,
  merged_into  INTEGER REFERENCES persons(id),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE INDEX persons_email ON persons(email) WHERE email IS NOT NULL;

-- Append-only. id grows in commit order; the pipeline processes events by id.
CREATE TABLE events (
  id            INTEGER PRIMARY KEY,
  source_id     INTEGER NOT NULL REFERENCES sources(id),
  message_id    TEXT    NOT NULL,
  type          TEXT    NOT NULL,
  event         TEXT,
  user_id       TEXT,
  anonymous_id  TEXT,
  person_id     INTEGER REFERENCES persons(id),
  timestamp     INTEGER NOT NULL,
  received_at   INTEGER NOT NULL,
  payload       TEXT    NOT NULL
);
CREATE UNIQUE INDEX events_message ON events(source_id, message_id);
-- Partial: unprocessed events (person_id NULL) cost the ingest path no index entry.
CREATE INDEX events_person_time ON events(person_id, timestamp) WHERE person_id IS NOT NULL;

CREATE TABLE identities (
  kind            TEXT    NOT NULL,  -- anonymous_id | user_id | email
  value           TEXT    NOT NULL,
  person_id       INTEGER NOT NULL REFERENCES persons(id),
  first_event_id  INTEGER,
  created_at      INTEGER NOT NULL,
  PRIMARY KEY (kind, value)
) WITHOUT ROWID;
CREATE INDEX identities_person ON identities(person_id);

-- Why two persons became one: the audit trail of identity resolution.
CREATE TABLE person_merges (
  id            INTEGER PRIMARY KEY,
  from_person   INTEGER NOT NULL REFERENCES persons(id),
  into_person   INTEGER NOT NULL REFERENCES persons(id),
  event_id      INTEGER REFERENCES events(id),
  merged_at     INTEGER NOT NULL
);

-- How far each stage of the pipeline has processed the event log; advanced in the
-- same transaction as the stage's effects, so each event is processed exactly once.
CREATE TABLE processing_cursors (
  name           TEXT PRIMARY KEY,
  last_event_id  INTEGER NOT NULL
);
)sql";

// Leads, users and everything sales and marketing do with them.
constexpr std::string_view kV2 = R"sql(
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
)sql";

// v3: the contact gate (preferences, consents, touches, refusals) and SLA timers.
constexpr std::string_view kV3 = R"sql(
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
)sql";

// The catalogs marketing maintains. Entries are stored whole as JSON (see
// catalog/catalog.h); the columns beside the body are what lookups and constraints need.
constexpr std::string_view kV4 = R"sql(
CREATE TABLE campaigns (
  key           TEXT    PRIMARY KEY,
  utm_campaign  TEXT    NOT NULL,
  body          TEXT    NOT NULL,
  origin        TEXT    NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX campaigns_utm ON campaigns(lower(utm_campaign));

CREATE TABLE content_assets (
  asset_id    TEXT    PRIMARY KEY,
  body        TEXT    NOT NULL,
  origin      TEXT    NOT NULL,
  updated_at  INTEGER NOT NULL
);
)sql";

// Signing in to the web app: password hashes, failures for the lock-out, sessions.
constexpr std::string_view kV5 = R"sql(
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until INTEGER;

-- Browser sessions, by the hash of their cookie's token.
CREATE TABLE sessions (
  token_hash  TEXT    PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  csrf_token  TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);
)sql";

// API tokens get an id to list and revoke them by, a name, an optional expiry and the
// time of their last use (recorded at most once a minute). Sign-in failures are no longer
// counted per user: throttling happens in memory per address and per client (auth/).
constexpr std::string_view kV6 = R"sql(
CREATE TABLE api_tokens_v6 (
  id            INTEGER PRIMARY KEY,
  token_hash    TEXT    NOT NULL UNIQUE,
  user_id       INTEGER NOT NULL REFERENCES users(id),
  name          TEXT    NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER,
  last_used_at  INTEGER
);
INSERT INTO api_tokens_v6 (token_hash, user_id, created_at)
  SELECT token_hash, user_id, created_at FROM api_tokens ORDER BY created_at, token_hash;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_v6 RENAME TO api_tokens;
CREATE INDEX api_tokens_user ON api_tokens(user_id);
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;
)sql";

// Contact trust: whether an inbound touch earned its points (or waits for a manager to
// confirm it), and the evidence a consent was recorded with.
constexpr std::string_view kV7 = R"sql(
ALTER TABLE touches ADD COLUMN score_status TEXT NOT NULL DEFAULT '';
UPDATE touches SET score_status = 'counted' WHERE direction = 'inbound';
ALTER TABLE consents ADD COLUMN evidence TEXT;
)sql";

constexpr std::array<Migration, 7> kMigrations = {{
    {1, "sources, events, persons, identities", kV1},
    {2, "users, leads, scores, assignments, outbox", kV2},
    {3, "contact preferences, consents, touches, SLA timers", kV3},
    {4, "campaign and content catalogs", kV4},
    {5, "passwords, sign-in lock-out, sessions", kV5},
    {6, "API token ids, names, expiry and last use", kV6},
    {7, "inbound touch confirmation, consent evidence", kV7},
}};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

}  // namespace tandem::sqlite
