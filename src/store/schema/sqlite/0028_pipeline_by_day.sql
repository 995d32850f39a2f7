-- experiment_outcomes keyed by day: a pipeline outcome keeps what each day added
--
-- A person's pipeline amount grows over the days their opportunities open. Kept as one
-- row per day, what a person counted can be taken back from the days it was counted on
-- (a person exposed to two arms), so the counts of every day stay those of the persons
-- who count. A count (a stage reached, a side metric) still has one row, its first day.

CREATE TABLE experiment_outcomes_by_day (
  experiment_id     INTEGER NOT NULL,
  person_id         INTEGER NOT NULL,
  metric            TEXT    NOT NULL,
  day               INTEGER NOT NULL,
  amount_cents      INTEGER NOT NULL,
  PRIMARY KEY (experiment_id, person_id, metric, day)
);
INSERT INTO experiment_outcomes_by_day
  SELECT experiment_id, person_id, metric, day, amount_cents FROM experiment_outcomes;
DROP TABLE experiment_outcomes;
ALTER TABLE experiment_outcomes_by_day RENAME TO experiment_outcomes;
