-- leads.country and leads.company_size: what the reports group by
--
-- The lead's country and company size band, kept from its traits whenever they change
-- (leads/lead_traits.h CountryOf and CompanySizeBand; the back-fill below repeats those
-- rules), so the reports group by a plain column.

-- A stored document that is no valid jsonb reads as an empty object.
CREATE OR REPLACE FUNCTION pg_temp.tandem_jsonb(doc_text TEXT) RETURNS JSONB LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN doc_text::jsonb;
EXCEPTION WHEN others THEN
  RETURN '{}'::jsonb;
END
$$;

ALTER TABLE leads ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN company_size TEXT NOT NULL DEFAULT '';

UPDATE leads l SET
  country = CASE
    WHEN jsonb_typeof(t.d #> '{address,country}') = 'string' THEN t.d #>> '{address,country}'
    WHEN jsonb_typeof(t.d -> 'country') = 'string' THEN t.d ->> 'country'
    ELSE '' END,
  company_size = CASE WHEN t.n IS NULL OR t.n < 1 THEN '' WHEN t.n <= 10 THEN '1-10'
                      WHEN t.n <= 50 THEN '11-50' WHEN t.n <= 200 THEN '51-200'
                      WHEN t.n <= 1000 THEN '201-1000' WHEN t.n <= 5000 THEN '1001-5000'
                      ELSE '5001+' END
FROM (SELECT id, d, CASE
        WHEN jsonb_typeof(d #> '{company,size}') = 'number' THEN trunc((d #>> '{company,size}')::numeric)
        WHEN jsonb_typeof(d #> '{company,size}') = 'string'
          THEN substring(d #>> '{company,size}' from '^[0-9]+')::numeric
      END AS n
      -- jsonb refuses the \u0000 escape JSON allows: read it as U+FFFD.
      FROM (SELECT id, pg_temp.tandem_jsonb(replace(traits, '\u0000', '\ufffd')) AS d
            FROM leads) AS parsed) AS t
WHERE l.id = t.id;
