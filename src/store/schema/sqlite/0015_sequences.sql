-- Sequences: steps over business days that a lead is enrolled in by hand or by a rule
-- (a saved lead filter), each enrolment's progress and why it ended, and each step as
-- it ran (the email it queued, the codes that refused it, the call or task it handed
-- to someone).
CREATE TABLE sequences (
  id                INTEGER PRIMARY KEY,
  name              TEXT    NOT NULL UNIQUE,
  kind              TEXT    NOT NULL,  -- nurture | one_to_one
  owner_id          INTEGER,           -- one_to_one: users.id
  filter_id         INTEGER,           -- the rule: lead_filters.id
  on_refused        TEXT    NOT NULL,  -- continue | pause
  state             TEXT    NOT NULL,  -- active | paused | archived
  enrolled_through  INTEGER,           -- the rule's watermark
  created_by        INTEGER,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
);

CREATE TABLE sequence_steps (
  sequence_id   INTEGER NOT NULL REFERENCES sequences(id),
  position      INTEGER NOT NULL,  -- 0, 1, …
  kind          TEXT    NOT NULL,  -- email | call | task
  wait_days     INTEGER NOT NULL,  -- business days after the previous step
  template_key  TEXT    NOT NULL,  -- email: email_templates.key; '' otherwise
  note          TEXT    NOT NULL,
  PRIMARY KEY (sequence_id, position)
);

CREATE TABLE sequence_enrolments (
  id            INTEGER PRIMARY KEY,
  sequence_id   INTEGER NOT NULL REFERENCES sequences(id),
  lead_id       INTEGER NOT NULL,  -- leads.id
  state         TEXT    NOT NULL,  -- active | paused | finished | exited
  next_step     INTEGER NOT NULL,
  due_at        INTEGER,
  paused_until  INTEGER,
  reason        TEXT    NOT NULL,  -- why it exited or paused
  detail        TEXT    NOT NULL,  -- the evidence
  enrolled_by   INTEGER,           -- users.id; NULL: the rule
  enrolled_at   INTEGER NOT NULL,
  ended_at      INTEGER,
  updated_at    INTEGER NOT NULL
);
-- A lead is in a sequence once at a time.
CREATE UNIQUE INDEX sequence_enrolments_open ON sequence_enrolments(sequence_id, lead_id)
  WHERE state IN ('active', 'paused');
CREATE INDEX sequence_enrolments_due ON sequence_enrolments(due_at, id) WHERE state = 'active';
CREATE INDEX sequence_enrolments_paused ON sequence_enrolments(paused_until)
  WHERE state = 'paused';
CREATE INDEX sequence_enrolments_lead ON sequence_enrolments(lead_id, id);
CREATE INDEX sequence_enrolments_sequence ON sequence_enrolments(sequence_id, lead_id, id);

CREATE TABLE sequence_step_runs (
  id             INTEGER PRIMARY KEY,
  enrolment_id   INTEGER NOT NULL REFERENCES sequence_enrolments(id),
  lead_id        INTEGER NOT NULL,
  position       INTEGER NOT NULL,
  kind           TEXT    NOT NULL,  -- email | call | task
  outcome        TEXT    NOT NULL,  -- queued | refused | reminded
  send_id        INTEGER,           -- email_sends.id
  touch_id       INTEGER,           -- touches.id
  assignee_id    INTEGER,           -- call, task: users.id
  reason         TEXT    NOT NULL,  -- refused: the codes
  note           TEXT    NOT NULL,
  at             INTEGER NOT NULL,
  done_at        INTEGER
);
CREATE INDEX sequence_step_runs_enrolment ON sequence_step_runs(enrolment_id, id);
CREATE INDEX sequence_step_runs_touch ON sequence_step_runs(touch_id) WHERE touch_id IS NOT NULL;
CREATE INDEX sequence_step_runs_tasks ON sequence_step_runs(assignee_id, id)
  WHERE assignee_id IS NOT NULL;
