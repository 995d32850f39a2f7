-- speed_days: the speed-to-lead report's counts per day, kept as MQLs are answered
--
-- Speed to lead (analytics/speed_to_lead.h) counts, per group, the moves to MQL of a
-- range by the whole minutes to their first answer and what became of the lead. Counted
-- from mql_responses and lead_funnel (0018_funnel_counts.sql) that is a look-up per MQL;
-- this table keeps the counts per dimension, UTC day of the move and group, written in
-- the same transaction as what changes them (store/sql/sql_funnel_facts.cpp), so a
-- report sums the whole days of its range and counts only the part of a day at either
-- end MQL by MQL. It always equals mql_responses joined to lead_funnel, counted; the
-- back-fill below is that count, and a test holds the two equal.

CREATE TABLE speed_days (
  dim   TEXT NOT NULL,  -- as funnel_days: a lead_funnel column, 'rep', or '' for every MQL
  day   INTEGER NOT NULL,  -- days since 1970-01-01 (UTC) of the move to MQL
  g     TEXT NOT NULL,
  m     INTEGER NOT NULL,  -- whole minutes to the first answer; -1: none yet
  a     INTEGER NOT NULL,  -- mql_responses.reached_sal, 1 or 0
  q     INTEGER NOT NULL,  -- mql_responses.reached_sql
  w     INTEGER NOT NULL,  -- mql_responses.won
  n     INTEGER NOT NULL,
  PRIMARY KEY (dim, day, g, m, a, q, w)
) WITHOUT ROWID;

CREATE TEMPORARY TABLE speed_dims (dim TEXT NOT NULL);
INSERT INTO speed_dims (dim) VALUES (''), ('source'), ('medium'), ('campaign'), ('term'), ('referrer_domain'), ('landing_page'), ('form'), ('content_item'), ('rep'), ('team'), ('country'), ('company_size');

INSERT INTO speed_days (dim, day, g, m, a, q, w, n)
SELECT d.dim, CASE WHEN p.at >= 0 THEN p.at / 86400000 ELSE (p.at + 1) / 86400000 - 1 END AS day,
       CASE d.dim
         WHEN 'source' THEN f.source
         WHEN 'medium' THEN f.medium
         WHEN 'campaign' THEN f.campaign
         WHEN 'term' THEN f.term
         WHEN 'referrer_domain' THEN f.referrer_domain
         WHEN 'landing_page' THEN f.landing_page
         WHEN 'form' THEN f.form
         WHEN 'content_item' THEN f.content_item
         WHEN 'rep' THEN COALESCE('usr_' || CAST(f.owner_id AS TEXT), '')
         WHEN 'team' THEN f.team
         WHEN 'country' THEN f.country
         WHEN 'company_size' THEN f.company_size
         ELSE '' END AS g,
       COALESCE(p.minutes, -1) AS m, p.reached_sal, p.reached_sql, p.won, COUNT(*)
FROM mql_responses p JOIN lead_funnel f ON f.lead_id = p.lead_id CROSS JOIN speed_dims d
GROUP BY 1, 2, 3, 4, 5, 6, 7;

DROP TABLE speed_dims;
