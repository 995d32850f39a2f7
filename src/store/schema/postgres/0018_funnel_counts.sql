-- lead_funnel, funnel_days, velocity_days, mql_responses: report counts kept as leads move
--
-- The funnel report (analytics/funnel.h) counts, per group, the leads created in a range
-- by the stage they are in and the deepest stage they reached, and the hours each step
-- took; speed to lead (analytics/speed_to_lead.h) how soon each MQL was answered and
-- what came of it. Counting those from the facts means look-ups per lead into
-- stage_transitions, touchpoints and touches; over a quarter of a million leads that is
-- seconds. These tables keep the answers as they change, written in the same
-- transaction as what changes them (store/sql/sql_funnel_facts.cpp):
--
--   lead_funnel    one row per lead: when it was created, the rank (leads/lifecycle.h
--                  FunnelRank) of its stage and the deepest rank it moved to, when it
--                  first reached each rank from MQL on, the fields of its first
--                  touchpoint, and its owner, team, country and company size band — its
--                  group by each dimension but the cohort.
--   funnel_days    per dimension ('' for none), UTC day of creation, group, stage rank
--                  and deepest rank: how many leads.
--   velocity_days  per dimension, day, group, step (1: lead to MQL … 5: opportunity to
--                  customer) and whole hours the step took: how many leads.
--   mql_responses  one row per move to MQL: the whole minutes to the first outbound
--                  touch a user made after it, and whether the lead went on to SAL, SQL
--                  and customer.
--
-- A report as things stand now sums the whole days of its range from the day tables and
-- counts the part of a day at either end from lead_funnel. Reports as of an earlier
-- moment count from the facts as before. The back-fill below repeats the rules of
-- sql_funnel_facts.cpp; a test holds the two equal.

-- Text from public events is kept to its first 256 characters (analytics/facts/touchpoint.cpp,
-- leads/lead_traits.h CountryOf); values kept before that limit are cut to it here, so the
-- groups below are what the store counts from now on, and short enough to index.
UPDATE touchpoints SET type = SUBSTR(type, 1, 256), source = SUBSTR(source, 1, 256), medium = SUBSTR(medium, 1, 256), campaign = SUBSTR(campaign, 1, 256), term = SUBSTR(term, 1, 256), content = SUBSTR(content, 1, 256), referrer_domain = SUBSTR(referrer_domain, 1, 256), landing_page = SUBSTR(landing_page, 1, 256), form = SUBSTR(form, 1, 256), content_item = SUBSTR(content_item, 1, 256)
WHERE LENGTH(type) > 256 OR LENGTH(source) > 256 OR LENGTH(medium) > 256 OR LENGTH(campaign) > 256 OR LENGTH(term) > 256 OR LENGTH(content) > 256 OR LENGTH(referrer_domain) > 256 OR LENGTH(landing_page) > 256 OR LENGTH(form) > 256 OR LENGTH(content_item) > 256;
UPDATE leads SET country = SUBSTR(country, 1, 256) WHERE LENGTH(country) > 256;

CREATE TABLE lead_funnel (
  lead_id          BIGINT PRIMARY KEY,  -- leads.id
  created_at       BIGINT NOT NULL,
  cur              BIGINT NOT NULL,  -- the rank of the lead's stage (0: out of the funnel)
  hist             BIGINT NOT NULL,  -- the deepest rank it moved to (0: never moved)
  t2               BIGINT,           -- when it first moved to MQL or deeper
  t3               BIGINT,           -- … to SAL or deeper
  t4               BIGINT,           -- … to SQL or deeper
  t5               BIGINT,           -- … to opportunity or deeper
  t6               BIGINT,           -- … to customer
  first_at         BIGINT,           -- its first touchpoint's at and event_id (NULL: none)
  first_event_id   BIGINT,
  source           TEXT NOT NULL,
  medium           TEXT NOT NULL,
  campaign         TEXT NOT NULL,
  term             TEXT NOT NULL,
  referrer_domain  TEXT NOT NULL,
  landing_page     TEXT NOT NULL,
  form             TEXT NOT NULL,
  content_item     TEXT NOT NULL,
  owner_id         BIGINT,  -- users.id
  team             TEXT NOT NULL,  -- '' when none
  country          TEXT NOT NULL,
  company_size     TEXT NOT NULL
);
CREATE INDEX lead_funnel_created ON lead_funnel(created_at);

CREATE TABLE funnel_days (
  dim   TEXT NOT NULL,  -- a lead_funnel column, 'rep', or '' for every lead
  day   BIGINT NOT NULL,  -- days since 1970-01-01 (UTC) of the lead's creation
  g     TEXT NOT NULL,
  cur   BIGINT NOT NULL,
  hist  BIGINT NOT NULL,
  n     BIGINT NOT NULL,
  PRIMARY KEY (dim, day, g, cur, hist)
);

CREATE TABLE velocity_days (
  dim   TEXT NOT NULL,
  day   BIGINT NOT NULL,
  g     TEXT NOT NULL,
  k     BIGINT NOT NULL,  -- the step: from rank k to rank k + 1
  h     BIGINT NOT NULL,  -- whole hours it took (0 when the later move is dated earlier)
  n     BIGINT NOT NULL,
  PRIMARY KEY (dim, day, g, k, h)
);

CREATE TABLE mql_responses (
  transition_id  BIGINT PRIMARY KEY,  -- stage_transitions.id
  lead_id        BIGINT NOT NULL,  -- leads.id
  at             BIGINT NOT NULL,  -- the move's
  minutes        BIGINT,           -- NULL: no answer yet
  reached_sal    BIGINT NOT NULL,  -- 1 or 0
  reached_sql    BIGINT NOT NULL,
  won            BIGINT NOT NULL
);
CREATE INDEX mql_responses_at ON mql_responses(at);
CREATE INDEX mql_responses_lead ON mql_responses(lead_id);

-- The outcomes report reads the outcomes of a range (analytics/outcomes.h).
CREATE INDEX stage_transitions_outcomes ON stage_transitions(at)
WHERE cause IN ('outcome: rejected', 'outcome: lost', 'outcome: recycled') OR to_stage = 'disqualified';

-- Back-fill.
INSERT INTO lead_funnel (lead_id, created_at, cur, hist, t2, t3, t4, t5, t6, first_at,
                         first_event_id, source, medium, campaign, term, referrer_domain, landing_page, form, content_item,
                         owner_id, team, country, company_size)
SELECT l.id, l.created_at,
       CASE l.stage WHEN 'lead' THEN 1 WHEN 'mql' THEN 2 WHEN 'sal' THEN 3 WHEN 'sql' THEN 4
            WHEN 'opportunity' THEN 5 WHEN 'customer' THEN 6 ELSE 0 END,
       COALESCE(s.hist, 0), s.t2, s.t3, s.t4, s.t5, s.t6, t.at, t.event_id,
       COALESCE(t.source, ''), COALESCE(t.medium, ''), COALESCE(t.campaign, ''), COALESCE(t.term, ''), COALESCE(t.referrer_domain, ''), COALESCE(t.landing_page, ''), COALESCE(t.form, ''), COALESCE(t.content_item, ''),
       l.owner_id, COALESCE(l.team, ''), l.country, l.company_size
FROM leads l
LEFT JOIN (SELECT lead_id, MAX(r) AS hist,
                  MIN(CASE WHEN r >= 2 THEN at END) AS t2, MIN(CASE WHEN r >= 3 THEN at END) AS t3,
                  MIN(CASE WHEN r >= 4 THEN at END) AS t4, MIN(CASE WHEN r >= 5 THEN at END) AS t5,
                  MIN(CASE WHEN r >= 6 THEN at END) AS t6
           FROM (SELECT lead_id, at, CASE to_stage WHEN 'lead' THEN 1 WHEN 'mql' THEN 2 WHEN 'sal' THEN 3 WHEN 'sql' THEN 4
            WHEN 'opportunity' THEN 5 WHEN 'customer' THEN 6 ELSE 0 END AS r
                 FROM stage_transitions) AS m
           GROUP BY lead_id) AS s ON s.lead_id = l.id
LEFT JOIN (SELECT x.*, ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY at, event_id) AS rn
           FROM touchpoints x) AS t ON t.person_id = l.id AND t.rn = 1;

CREATE TEMPORARY TABLE funnel_dims (dim TEXT NOT NULL);
INSERT INTO funnel_dims (dim) VALUES (''), ('source'), ('medium'), ('campaign'), ('term'), ('referrer_domain'), ('landing_page'), ('form'), ('content_item'), ('rep'), ('team'), ('country'), ('company_size');

-- The day of a moment, rounded down also before 1970.
INSERT INTO funnel_days (dim, day, g, cur, hist, n)
SELECT d.dim, CASE WHEN f.created_at >= 0 THEN f.created_at / 86400000
                   ELSE (f.created_at + 1) / 86400000 - 1 END AS day,
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
       f.cur, f.hist, COUNT(*)
FROM lead_funnel f CROSS JOIN funnel_dims d
GROUP BY 1, 2, 3, 4, 5;

INSERT INTO velocity_days (dim, day, g, k, h, n)
SELECT d.dim, CASE WHEN v.created_at >= 0 THEN v.created_at / 86400000
                   ELSE (v.created_at + 1) / 86400000 - 1 END AS day,
       CASE d.dim
         WHEN 'source' THEN v.source
         WHEN 'medium' THEN v.medium
         WHEN 'campaign' THEN v.campaign
         WHEN 'term' THEN v.term
         WHEN 'referrer_domain' THEN v.referrer_domain
         WHEN 'landing_page' THEN v.landing_page
         WHEN 'form' THEN v.form
         WHEN 'content_item' THEN v.content_item
         WHEN 'rep' THEN COALESCE('usr_' || CAST(v.owner_id AS TEXT), '')
         WHEN 'team' THEN v.team
         WHEN 'country' THEN v.country
         WHEN 'company_size' THEN v.company_size
         ELSE '' END AS g,
       v.k, CASE WHEN v.b < v.a THEN 0 ELSE (v.b - v.a) / 3600000 END AS h, COUNT(*)
FROM (SELECT f.*, 1 AS k, f.created_at AS a, f.t2 AS b FROM lead_funnel f
      UNION ALL SELECT f.*, 2, f.t2, f.t3 FROM lead_funnel f
      UNION ALL SELECT f.*, 3, f.t3, f.t4 FROM lead_funnel f
      UNION ALL SELECT f.*, 4, f.t4, f.t5 FROM lead_funnel f
      UNION ALL SELECT f.*, 5, f.t5, f.t6 FROM lead_funnel f) AS v
CROSS JOIN funnel_dims d
WHERE v.b IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;

DROP TABLE funnel_dims;

INSERT INTO mql_responses (transition_id, lead_id, at, minutes, reached_sal, reached_sql, won)
SELECT s.id, s.lead_id, s.at,
       (SELECT (MIN(t.at) - s.at) / 60000 FROM touches t
        WHERE t.lead_id = s.lead_id AND t.at >= s.at AND t.direction = 'outbound'
          AND t.user_id IS NOT NULL AND t.purpose <> 'email_marketing'),
       CASE WHEN EXISTS (SELECT 1 FROM stage_transitions x WHERE x.lead_id = s.lead_id AND x.at >= s.at
                          AND x.to_stage IN ('sal', 'sql', 'opportunity', 'customer')) THEN 1 ELSE 0 END,
       CASE WHEN EXISTS (SELECT 1 FROM stage_transitions x WHERE x.lead_id = s.lead_id AND x.at >= s.at
                          AND x.to_stage IN ('sql', 'opportunity', 'customer')) THEN 1 ELSE 0 END,
       CASE WHEN EXISTS (SELECT 1 FROM stage_transitions x WHERE x.lead_id = s.lead_id AND x.at >= s.at
                          AND x.to_stage IN ('customer')) THEN 1 ELSE 0 END
FROM stage_transitions s
WHERE s.to_stage = 'mql';
