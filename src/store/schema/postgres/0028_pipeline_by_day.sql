-- experiment_outcomes keyed by day: a pipeline outcome keeps what each day added
--
-- A person's pipeline amount grows over the days their opportunities open. Kept as one
-- row per day, what a person counted can be taken back from the days it was counted on
-- (a person exposed to two arms), so the counts of every day stay those of the persons
-- who count. A count (a stage reached, a side metric) still has one row, its first day.

ALTER TABLE experiment_outcomes DROP CONSTRAINT experiment_outcomes_pkey;
ALTER TABLE experiment_outcomes ADD PRIMARY KEY (experiment_id, person_id, metric, day);
