-- Values cut to 256 characters everywhere the reports keep them
--
-- Text from public events is kept to its first 256 characters
-- (analytics/facts/touchpoint.cpp, and a lead's country). Version 18 cuts what was kept
-- before that limit, but a store that reached version 18 before the cut was part of it
-- still holds longer touchpoint fields and countries, and the reports' kept counts hold
-- them as groups apart from the same values cut, which a lead written today counts
-- under. This cuts them everywhere: the touchpoints, the leads' countries, lead_funnel,
-- and the groups of the per-day counts, adding up the rows that become one (each lead,
-- outcome and move to MQL counts once by each dimension, so the sums are exact). The
-- attribution sums count the deals that gave a group any credit, which rows of two long
-- values cut to one would count twice: when they hold any long value, they are dropped
-- and the store counts every deal again when it opens (attribution_backfill_after, as
-- version 22 does).
-- A store without long values changes nothing.

UPDATE touchpoints SET type = SUBSTR(type, 1, 256), source = SUBSTR(source, 1, 256), medium = SUBSTR(medium, 1, 256), campaign = SUBSTR(campaign, 1, 256), term = SUBSTR(term, 1, 256), content = SUBSTR(content, 1, 256), referrer_domain = SUBSTR(referrer_domain, 1, 256), landing_page = SUBSTR(landing_page, 1, 256), form = SUBSTR(form, 1, 256), content_item = SUBSTR(content_item, 1, 256)
WHERE LENGTH(type) > 256 OR LENGTH(source) > 256 OR LENGTH(medium) > 256 OR LENGTH(campaign) > 256 OR LENGTH(term) > 256 OR LENGTH(content) > 256 OR LENGTH(referrer_domain) > 256 OR LENGTH(landing_page) > 256 OR LENGTH(form) > 256 OR LENGTH(content_item) > 256;
UPDATE leads SET country = SUBSTR(country, 1, 256) WHERE LENGTH(country) > 256;
UPDATE lead_funnel SET source = SUBSTR(source, 1, 256), medium = SUBSTR(medium, 1, 256), campaign = SUBSTR(campaign, 1, 256), term = SUBSTR(term, 1, 256), referrer_domain = SUBSTR(referrer_domain, 1, 256), landing_page = SUBSTR(landing_page, 1, 256), form = SUBSTR(form, 1, 256), content_item = SUBSTR(content_item, 1, 256), country = SUBSTR(country, 1, 256)
WHERE LENGTH(source) > 256 OR LENGTH(medium) > 256 OR LENGTH(campaign) > 256 OR LENGTH(term) > 256 OR LENGTH(referrer_domain) > 256 OR LENGTH(landing_page) > 256 OR LENGTH(form) > 256 OR LENGTH(content_item) > 256 OR LENGTH(country) > 256;

CREATE TEMPORARY TABLE cut_funnel_days AS
SELECT dim, day, SUBSTR(g, 1, 256) AS g, cur, hist, SUM(n) AS n FROM funnel_days
WHERE dim IN ('source', 'medium', 'campaign', 'term', 'referrer_domain', 'landing_page', 'form', 'content_item', 'country') AND LENGTH(g) > 256
GROUP BY dim, day, SUBSTR(g, 1, 256), cur, hist;
DELETE FROM funnel_days WHERE dim IN ('source', 'medium', 'campaign', 'term', 'referrer_domain', 'landing_page', 'form', 'content_item', 'country') AND LENGTH(g) > 256;
INSERT INTO funnel_days (dim, day, g, cur, hist, n) SELECT dim, day, g, cur, hist, n FROM cut_funnel_days WHERE true
ON CONFLICT (dim, day, g, cur, hist) DO UPDATE SET n = funnel_days.n + excluded.n;
DROP TABLE cut_funnel_days;

CREATE TEMPORARY TABLE cut_velocity_days AS
SELECT dim, day, SUBSTR(g, 1, 256) AS g, k, h, SUM(n) AS n FROM velocity_days
WHERE dim IN ('source', 'medium', 'campaign', 'term', 'referrer_domain', 'landing_page', 'form', 'content_item', 'country') AND LENGTH(g) > 256
GROUP BY dim, day, SUBSTR(g, 1, 256), k, h;
DELETE FROM velocity_days WHERE dim IN ('source', 'medium', 'campaign', 'term', 'referrer_domain', 'landing_page', 'form', 'content_item', 'country') AND LENGTH(g) > 256;
INSERT INTO velocity_days (dim, day, g, k, h, n) SELECT dim, day, g, k, h, n FROM cut_velocity_days WHERE true
ON CONFLICT (dim, day, g, k, h) DO UPDATE SET n = velocity_days.n + excluded.n;
DROP TABLE cut_velocity_days;

CREATE TEMPORARY TABLE cut_speed_days AS
SELECT dim, day, SUBSTR(g, 1, 256) AS g, m, a, q, w, SUM(n) AS n FROM speed_days
WHERE dim IN ('source', 'medium', 'campaign', 'term', 'referrer_domain', 'landing_page', 'form', 'content_item', 'country') AND LENGTH(g) > 256
GROUP BY dim, day, SUBSTR(g, 1, 256), m, a, q, w;
DELETE FROM speed_days WHERE dim IN ('source', 'medium', 'campaign', 'term', 'referrer_domain', 'landing_page', 'form', 'content_item', 'country') AND LENGTH(g) > 256;
INSERT INTO speed_days (dim, day, g, m, a, q, w, n) SELECT dim, day, g, m, a, q, w, n FROM cut_speed_days WHERE true
ON CONFLICT (dim, day, g, m, a, q, w) DO UPDATE SET n = speed_days.n + excluded.n;
DROP TABLE cut_speed_days;

CREATE TEMPORARY TABLE cut_outcome_days AS
SELECT dim, day, SUBSTR(g, 1, 256) AS g, o, r, SUM(n) AS n FROM outcome_days
WHERE dim IN ('source', 'medium', 'campaign', 'term', 'referrer_domain', 'landing_page', 'form', 'content_item', 'country') AND LENGTH(g) > 256
GROUP BY dim, day, SUBSTR(g, 1, 256), o, r;
DELETE FROM outcome_days WHERE dim IN ('source', 'medium', 'campaign', 'term', 'referrer_domain', 'landing_page', 'form', 'content_item', 'country') AND LENGTH(g) > 256;
INSERT INTO outcome_days (dim, day, g, o, r, n) SELECT dim, day, g, o, r, n FROM cut_outcome_days WHERE true
ON CONFLICT (dim, day, g, o, r) DO UPDATE SET n = outcome_days.n + excluded.n;
DROP TABLE cut_outcome_days;

CREATE TEMPORARY TABLE long_attribution AS
SELECT 1 AS yes WHERE EXISTS (SELECT 1 FROM attribution_days WHERE dim IN ('source', 'medium', 'campaign', 'term', 'referrer_domain', 'landing_page', 'form', 'content_item', 'country') AND LENGTH(g) > 256)
   OR EXISTS (SELECT 1 FROM attributed_touches WHERE LENGTH(type) > 256 OR LENGTH(source) > 256 OR LENGTH(medium) > 256 OR LENGTH(campaign) > 256 OR LENGTH(term) > 256 OR LENGTH(content) > 256 OR LENGTH(referrer_domain) > 256 OR LENGTH(landing_page) > 256 OR LENGTH(form) > 256 OR LENGTH(content_item) > 256)
   OR EXISTS (SELECT 1 FROM attributed_deals WHERE LENGTH(country) > 256);
DELETE FROM attributed_touches WHERE EXISTS (SELECT 1 FROM long_attribution);
DELETE FROM attributed_deals WHERE EXISTS (SELECT 1 FROM long_attribution);
DELETE FROM attribution_days WHERE EXISTS (SELECT 1 FROM long_attribution);
INSERT INTO settings (name, value) SELECT 'attribution_backfill_after', '0' FROM long_attribution WHERE true
ON CONFLICT (name) DO UPDATE SET value = excluded.value;
DROP TABLE long_attribution;
