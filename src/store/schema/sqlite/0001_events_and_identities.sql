-- sources, events, persons, identities
--
-- Times are Unix milliseconds (UTC). Foreign keys are declared for readers of the
-- schema; SQLite does not enforce them here (the ingest path checks its sources).

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
