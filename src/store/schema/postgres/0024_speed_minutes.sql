-- mql_responses.minutes and speed_days.m: minutes to the first answer, to a stated step
--
-- The speed-to-lead report's median and p90 are read from speed_days
-- (0020_speed_days.sql), one row per distinct minutes and fate a day and group had. In
-- whole minutes, a late answer was nearly always a row of its own, and a quarter's report
-- read about a row per MQL. From this version the minutes are kept to the step a reader
-- of the report tells apart: whole minutes under an hour, quarter hours under a day
-- (rounded down: 1 h 23 min is 75), whole hours from a day on (rounded down: 1 d 5 h 40
-- min is 1740). The buckets of the report (under 5 minutes, 5-60 minutes, 1-24 hours,
-- over 24 hours) begin on such steps, so no MQL changes bucket. The store computes the
-- step as it writes (store/sql/sql_funnel_facts.cpp AnswerMinutesSql); this moves what is
-- kept to it, adding up the rows of speed_days that become one.

UPDATE mql_responses SET minutes = CASE WHEN minutes < 60 THEN minutes
  WHEN minutes < 1440 THEN minutes / 15 * 15 ELSE minutes / 60 * 60 END
WHERE minutes >= 60;

CREATE TEMPORARY TABLE speed_steps AS
SELECT dim, day, g, CASE WHEN m < 60 THEN m WHEN m < 1440 THEN m / 15 * 15 ELSE m / 60 * 60 END AS m,
       a, q, w, SUM(n) AS n
FROM speed_days GROUP BY dim, day, g, 4, a, q, w;

DELETE FROM speed_days;
INSERT INTO speed_days (dim, day, g, m, a, q, w, n)
SELECT dim, day, g, m, a, q, w, n FROM speed_steps WHERE n <> 0;

DROP TABLE speed_steps;
