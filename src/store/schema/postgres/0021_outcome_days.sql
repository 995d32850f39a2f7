-- lead_outcomes, outcome_days: the outcomes report's counts per day, kept as outcomes are recorded
--
-- The outcomes report (analytics/outcomes.h) counts the outcomes recorded in a range —
-- a disposition rejected, lost or recycled, or a move to disqualified — by group,
-- outcome and reason (by rep: the user who recorded it). lead_outcomes keeps each
-- outcome of each lead; outcome_days the counts per dimension, UTC day of the outcome,
-- group, outcome and reason, written in the same transaction as what changes them
-- (store/sql/sql_funnel_facts.cpp), so a report sums the whole days of its range and
-- counts only the part of a day at either end outcome by outcome. outcome_days always
-- equals lead_outcomes joined to lead_funnel (0018_funnel_counts.sql), counted; the
-- back-fill below is that count, and a test holds the two equal.

CREATE TABLE lead_outcomes (
  transition_id  BIGINT PRIMARY KEY,  -- stage_transitions.id
  lead_id        BIGINT NOT NULL,  -- leads.id
  at             BIGINT NOT NULL,
  outcome        TEXT NOT NULL,  -- rejected, lost, recycled or disqualified
  reason         TEXT NOT NULL,  -- its first 300 characters (reasons given before they were limited to 300 may be longer)
  by_user_id     BIGINT  -- users.id; NULL: the system
);
CREATE INDEX lead_outcomes_lead ON lead_outcomes(lead_id);
CREATE INDEX lead_outcomes_at ON lead_outcomes(at);

CREATE TABLE outcome_days (
  dim   TEXT NOT NULL,  -- as funnel_days; 'rep' is the user who recorded the outcome
  day   BIGINT NOT NULL,  -- days since 1970-01-01 (UTC) of the outcome
  g     TEXT NOT NULL,
  o     TEXT NOT NULL,  -- lead_outcomes.outcome
  r     TEXT NOT NULL,  -- lead_outcomes.reason
  n     BIGINT NOT NULL,
  PRIMARY KEY (dim, day, g, o, r)
);

INSERT INTO lead_outcomes (transition_id, lead_id, at, outcome, reason, by_user_id)
SELECT s.id, s.lead_id, s.at,
       CASE WHEN s.cause LIKE 'outcome: %' THEN SUBSTR(s.cause, 10) ELSE s.to_stage END,
       SUBSTR(s.reason, 1, 300), s.by_user_id
FROM stage_transitions s
WHERE s.cause IN ('outcome: rejected', 'outcome: lost', 'outcome: recycled') OR s.to_stage = 'disqualified';

CREATE TEMPORARY TABLE outcome_dims (dim TEXT NOT NULL);
INSERT INTO outcome_dims (dim) VALUES (''), ('source'), ('medium'), ('campaign'), ('term'), ('referrer_domain'), ('landing_page'), ('form'), ('content_item'), ('rep'), ('team'), ('country'), ('company_size');

INSERT INTO outcome_days (dim, day, g, o, r, n)
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
         WHEN 'rep' THEN COALESCE('usr_' || CAST(p.by_user_id AS TEXT), '')
         WHEN 'team' THEN f.team
         WHEN 'country' THEN f.country
         WHEN 'company_size' THEN f.company_size
         ELSE '' END AS g,
       p.outcome, p.reason, COUNT(*)
FROM lead_outcomes p JOIN lead_funnel f ON f.lead_id = p.lead_id CROSS JOIN outcome_dims d
GROUP BY 1, 2, 3, 4, 5;

DROP TABLE outcome_dims;

-- The day counts now drop a count that comes to zero as leads move on; those that did
-- before go too.
DELETE FROM funnel_days WHERE n = 0;
DELETE FROM velocity_days WHERE n = 0;
DELETE FROM speed_days WHERE n = 0;
