-- experiments, experiment_persons, experiment_outcomes, experiment_days: experiments and the counts that judge them
--
-- experiments holds every version of every experiment (experiments/experiment.h); its
-- variants and rules are the JSON body, the columns are what the store looks up by.
-- experiment_persons holds each person's arm, their first exposure and whether a
-- second exposure to another arm made them conflicted; experiment_outcomes what each
-- person counted for (the primary metric's name, or a side metric's) with its day and,
-- for pipeline, the running amount. experiment_days keeps the counts per experiment, UTC
-- day (days since 1970-01-01) and arm, moved in the transaction that assigns, exposes
-- or counts (experiments/experiment_store.h), so a result reads these rows only.
-- email_sends.experiment_id and experiment_arm say which arm a message was sent for.

CREATE TABLE experiments (
  id                INTEGER PRIMARY KEY,
  key               TEXT    NOT NULL,
  version           INTEGER NOT NULL,
  name              TEXT    NOT NULL,
  kind              TEXT    NOT NULL,  -- email | web
  broadcast_id      INTEGER,
  sequence_id       INTEGER,
  sequence_step     INTEGER,
  metric            TEXT    NOT NULL,  -- mql | sal | sql | opportunity | won | pipeline
  window_days       INTEGER NOT NULL,
  state             TEXT    NOT NULL,  -- draft | running | stopped
  body              TEXT    NOT NULL,  -- variants and rules, JSON
  created_by        INTEGER,
  created_at        INTEGER NOT NULL,
  started_at        INTEGER,
  stopped_at        INTEGER,
  UNIQUE (key, version)
);
CREATE INDEX experiments_state ON experiments(state, kind);

CREATE TABLE experiment_persons (
  experiment_id     INTEGER NOT NULL,
  person_id         INTEGER NOT NULL,
  arm               INTEGER NOT NULL,
  assigned_at       INTEGER NOT NULL,
  exposed_at        INTEGER,
  conflicted_at     INTEGER,
  PRIMARY KEY (experiment_id, person_id)
);
CREATE INDEX experiment_persons_person ON experiment_persons(person_id);

CREATE TABLE experiment_outcomes (
  experiment_id     INTEGER NOT NULL,
  person_id         INTEGER NOT NULL,
  metric            TEXT    NOT NULL,
  day               INTEGER NOT NULL,
  amount_cents      INTEGER NOT NULL,
  PRIMARY KEY (experiment_id, person_id, metric)
);

CREATE TABLE experiment_days (
  experiment_id     INTEGER NOT NULL,
  day               INTEGER NOT NULL,
  arm               INTEGER NOT NULL,
  assigned          INTEGER NOT NULL DEFAULT 0,
  exposed           INTEGER NOT NULL DEFAULT 0,
  conflicted        INTEGER NOT NULL DEFAULT 0,
  primary_sum       INTEGER NOT NULL DEFAULT 0,
  primary_squares   REAL NOT NULL DEFAULT 0,
  clicks            INTEGER NOT NULL DEFAULT 0,
  replies           INTEGER NOT NULL DEFAULT 0,
  unsubscribes      INTEGER NOT NULL DEFAULT 0,
  bounces           INTEGER NOT NULL DEFAULT 0,
  complaints        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (experiment_id, day, arm)
);

ALTER TABLE email_sends ADD COLUMN experiment_id INTEGER;
ALTER TABLE email_sends ADD COLUMN experiment_arm INTEGER;
