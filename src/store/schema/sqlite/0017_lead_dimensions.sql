-- leads.country and leads.company_size: what the reports group by
--
-- The lead's country and company size band, kept from its traits whenever they change
-- (leads/lead_traits.h CountryOf and CompanySizeBand; the back-fill below repeats those
-- rules), so the reports group by a plain column.

ALTER TABLE leads ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN company_size TEXT NOT NULL DEFAULT '';

UPDATE leads SET
  country = CASE
    WHEN json_type(traits, '$.address.country') = 'text' THEN json_extract(traits, '$.address.country')
    WHEN json_type(traits, '$.country') = 'text' THEN json_extract(traits, '$.country')
    ELSE '' END,
  company_size = (
    SELECT CASE WHEN n IS NULL OR n < 1 THEN '' WHEN n <= 10 THEN '1-10' WHEN n <= 50 THEN '11-50'
                WHEN n <= 200 THEN '51-200' WHEN n <= 1000 THEN '201-1000'
                WHEN n <= 5000 THEN '1001-5000' ELSE '5001+' END
    FROM (SELECT CASE
            WHEN json_type(traits, '$.company.size') IN ('integer', 'real')
              THEN CAST(json_extract(traits, '$.company.size') AS INTEGER)
            WHEN json_type(traits, '$.company.size') = 'text'
                 AND substr(json_extract(traits, '$.company.size'), 1, 1) GLOB '[0-9]'
              THEN CAST(json_extract(traits, '$.company.size') AS INTEGER)
          END AS n))
WHERE json_valid(traits);
