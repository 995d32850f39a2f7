-- stage_transitions.amount_cents: the amount an opportunity or a win was recorded with
--
-- Attribution (analytics/attribution.h) splits each deal's amount over its touchpoints;
-- the amount is a typed fact of the move, in cents, NULL for every other move. The
-- back-fill reads it from the outcome entry the lead_log wrote in the same transaction
-- (same lead, same time, the disposition the transition's cause names).

ALTER TABLE stage_transitions ADD COLUMN amount_cents BIGINT;

-- A stored entry that is no valid jsonb reads as an empty object.
CREATE OR REPLACE FUNCTION pg_temp.tandem_jsonb(doc_text TEXT) RETURNS JSONB LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN doc_text::jsonb;
EXCEPTION WHEN others THEN
  RETURN '{}'::jsonb;
END
$$;

-- In cents as the server computes them (leads/lead_engine.cpp: the double times 100,
-- plus a half, truncated); an amount outside 0 to 10^12, which older versions let
-- through, is left out.
UPDATE stage_transitions s SET amount_cents = (
  SELECT CASE WHEN (d ->> 'amount')::numeric BETWEEN 0 AND 1e12
              THEN CAST(floor((d ->> 'amount')::double precision * 100 + 0.5) AS BIGINT) END
  FROM (SELECT o.id, pg_temp.tandem_jsonb(o.data) AS d FROM lead_log o
        WHERE o.lead_id = s.lead_id AND o.kind = 'outcome' AND o.at = s.at) AS log
  WHERE jsonb_typeof(d -> 'amount') = 'number' AND d ->> 'disposition' = substr(s.cause, 10)
  ORDER BY log.id DESC LIMIT 1)
WHERE s.cause IN ('outcome: opportunity', 'outcome: won');
