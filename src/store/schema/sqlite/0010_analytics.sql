-- stage_transitions and touchpoints: the facts the analytics reports count
--
-- Two append-only fact tables with typed columns, written in the same transaction as
-- what they record (analytics/facts/fact_store.h), so a report reads plain columns
-- instead of parsing JSON, and its numbers can be recomputed from the raw tables:
--
--   stage_transitions  one row per lifecycle move of a lead: the lead_log's
--                      stage_changed entries, typed. Rows follow their lead when two
--                      leads fold into one.
--   touchpoints        one row per event that brings a person into contact with
--                      marketing (analytics/facts/touchpoint.h says which): a page view
--                      with campaign fields or another site's referrer, a form or a
--                      content asset named by a page or track call, an identify with
--                      campaign fields. Rows follow their events when persons merge.
--
-- Both are back-filled below from what is already stored: the stage_changed entries of
-- lead_log, and the events already stitched to a person (those not yet stitched are
-- written by the pipeline when it reaches them). The back-fill repeats, in SQL, the
-- rules of analytics/facts/touchpoint.cpp; a test holds the two equal.

CREATE TABLE stage_transitions (
  id          INTEGER PRIMARY KEY,
  lead_id     INTEGER NOT NULL REFERENCES leads(id),
  from_stage  TEXT    NOT NULL,
  to_stage    TEXT    NOT NULL,
  at          INTEGER NOT NULL,
  by_user_id  INTEGER REFERENCES users(id),  -- NULL: the system moved it
  cause       TEXT    NOT NULL,  -- "manual", "outcome: won", "score: …", "hand-raise: …"
  reason      TEXT    NOT NULL   -- the reason given ("" when none)
);
CREATE INDEX stage_transitions_lead ON stage_transitions(lead_id, at);
CREATE INDEX stage_transitions_to ON stage_transitions(to_stage, at);

-- Text columns are "" when the event did not say.
CREATE TABLE touchpoints (
  person_id        INTEGER NOT NULL REFERENCES persons(id),
  at               INTEGER NOT NULL,  -- the event's timestamp
  event_id         INTEGER NOT NULL REFERENCES events(id),
  type             TEXT    NOT NULL,  -- the event's: page | track | identify
  source           TEXT    NOT NULL,  -- context.campaign.source (utm_source)
  medium           TEXT    NOT NULL,
  campaign         TEXT    NOT NULL,  -- context.campaign.name, else .campaign
  term             TEXT    NOT NULL,  -- the keyword
  content          TEXT    NOT NULL,  -- utm_content
  referrer_domain  TEXT    NOT NULL,  -- another site's host, lower case, without "www."
  landing_page     TEXT    NOT NULL,  -- the page's path
  form             TEXT    NOT NULL,  -- properties.form, else .form_id
  content_item     TEXT    NOT NULL,  -- properties.asset_id
  PRIMARY KEY (person_id, at, event_id)
) WITHOUT ROWID;
CREATE INDEX touchpoints_at ON touchpoints(at);

-- Back-fill.
INSERT INTO stage_transitions (lead_id, from_stage, to_stage, at, by_user_id, cause, reason)
SELECT lead_id, json_extract(data, '$.from'), json_extract(data, '$.to'), at,
       CASE WHEN substr(actor, 1, 9) = 'user:usr_' THEN CAST(substr(actor, 10) AS INTEGER) END,
       CASE WHEN json_type(data, '$.cause') = 'text' THEN json_extract(data, '$.cause') ELSE '' END,
       CASE WHEN json_type(data, '$.reason') = 'text' THEN json_extract(data, '$.reason') ELSE '' END
FROM lead_log
WHERE kind = 'stage_changed' AND json_valid(data)
  AND json_type(data, '$.from') = 'text' AND json_type(data, '$.to') = 'text'
ORDER BY id;

WITH
parsed AS (
  SELECT id, person_id, timestamp, type,
         CASE WHEN json_valid(payload) THEN payload ELSE '{}' END AS j
  FROM events WHERE person_id IS NOT NULL AND type IN ('page', 'track', 'identify')
),
-- Each field a string, else "".
fields AS (
  SELECT id, person_id, timestamp, type,
    CASE WHEN json_type(j, '$.context.campaign.source') = 'text' THEN json_extract(j, '$.context.campaign.source') ELSE '' END AS source,
    CASE WHEN json_type(j, '$.context.campaign.medium') = 'text' THEN json_extract(j, '$.context.campaign.medium') ELSE '' END AS medium,
    CASE WHEN json_type(j, '$.context.campaign.name') = 'text' THEN json_extract(j, '$.context.campaign.name') ELSE '' END AS campaign_name,
    CASE WHEN json_type(j, '$.context.campaign.campaign') = 'text' THEN json_extract(j, '$.context.campaign.campaign') ELSE '' END AS campaign_alt,
    CASE WHEN json_type(j, '$.context.campaign.term') = 'text' THEN json_extract(j, '$.context.campaign.term') ELSE '' END AS term,
    CASE WHEN json_type(j, '$.context.campaign.content') = 'text' THEN json_extract(j, '$.context.campaign.content') ELSE '' END AS content,
    CASE WHEN json_type(j, '$.context.page.path') = 'text' THEN json_extract(j, '$.context.page.path') ELSE '' END AS page_path,
    CASE WHEN json_type(j, '$.properties.path') = 'text' THEN json_extract(j, '$.properties.path') ELSE '' END AS prop_path,
    CASE WHEN json_type(j, '$.context.page.url') = 'text' THEN json_extract(j, '$.context.page.url') ELSE '' END AS page_url,
    CASE WHEN json_type(j, '$.properties.url') = 'text' THEN json_extract(j, '$.properties.url') ELSE '' END AS prop_url,
    CASE WHEN json_type(j, '$.context.page.referrer') = 'text' THEN json_extract(j, '$.context.page.referrer') ELSE '' END AS page_referrer,
    CASE WHEN json_type(j, '$.properties.referrer') = 'text' THEN json_extract(j, '$.properties.referrer') ELSE '' END AS prop_referrer,
    CASE WHEN json_type(j, '$.properties.form') = 'text' THEN json_extract(j, '$.properties.form') ELSE '' END AS form_name,
    CASE WHEN json_type(j, '$.properties.form_id') = 'text' THEN json_extract(j, '$.properties.form_id') ELSE '' END AS form_id,
    CASE WHEN json_type(j, '$.properties.asset_id') = 'text' THEN json_extract(j, '$.properties.asset_id') ELSE '' END AS content_item
  FROM parsed
),
-- The first non-empty of two; the URL and referrer past their scheme.
chosen AS (
  SELECT id, person_id, timestamp, type, source, medium, term, content, content_item,
    CASE WHEN campaign_name <> '' THEN campaign_name ELSE campaign_alt END AS campaign,
    CASE WHEN page_path <> '' THEN page_path ELSE prop_path END AS landing_page,
    CASE WHEN form_name <> '' THEN form_name ELSE form_id END AS form,
    CASE WHEN instr(u, '://') > 0 THEN substr(u, instr(u, '://') + 3) ELSE u END AS u,
    CASE WHEN instr(r, '://') > 0 THEN substr(r, instr(r, '://') + 3) ELSE r END AS r
  FROM (SELECT *, CASE WHEN page_url <> '' THEN page_url ELSE prop_url END AS u,
               CASE WHEN page_referrer <> '' THEN page_referrer ELSE prop_referrer END AS r
        FROM fields)
),
-- Hosts: up to the first of / ? # :, in lower case.
hosts AS (
  SELECT *,
    lower(substr(u, 1, min(CASE WHEN instr(u, '/') > 0 THEN instr(u, '/') - 1 ELSE length(u) END,
                           CASE WHEN instr(u, '?') > 0 THEN instr(u, '?') - 1 ELSE length(u) END,
                           CASE WHEN instr(u, '#') > 0 THEN instr(u, '#') - 1 ELSE length(u) END,
                           CASE WHEN instr(u, ':') > 0 THEN instr(u, ':') - 1 ELSE length(u) END))) AS uh,
    lower(substr(r, 1, min(CASE WHEN instr(r, '/') > 0 THEN instr(r, '/') - 1 ELSE length(r) END,
                           CASE WHEN instr(r, '?') > 0 THEN instr(r, '?') - 1 ELSE length(r) END,
                           CASE WHEN instr(r, '#') > 0 THEN instr(r, '#') - 1 ELSE length(r) END,
                           CASE WHEN instr(r, ':') > 0 THEN instr(r, ':') - 1 ELSE length(r) END))) AS rh
  FROM chosen
),
-- Without "www."; the referrer only when it is another site.
domains AS (
  SELECT *,
    CASE WHEN rh2 <> '' AND rh2 <> uh2 THEN rh2 ELSE '' END AS referrer_domain
  FROM (SELECT *,
          CASE WHEN substr(uh, 1, 4) = 'www.' THEN substr(uh, 5) ELSE uh END AS uh2,
          CASE WHEN substr(rh, 1, 4) = 'www.' THEN substr(rh, 5) ELSE rh END AS rh2
        FROM hosts)
)
INSERT INTO touchpoints (person_id, at, event_id, type, source, medium, campaign, term, content,
                         referrer_domain, landing_page, form, content_item)
SELECT person_id, timestamp, id, type, source, medium, campaign, term, content, referrer_domain,
       landing_page, form, content_item
FROM domains
WHERE ((type IN ('page', 'track')) AND (form <> '' OR content_item <> ''))
   OR (type = 'page' AND (source <> '' OR medium <> '' OR campaign <> '' OR term <> ''
                          OR content <> '' OR referrer_domain <> ''))
   OR (type = 'identify' AND (source <> '' OR medium <> '' OR campaign <> '' OR term <> ''
                              OR content <> ''));
