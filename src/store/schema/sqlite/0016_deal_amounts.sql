-- stage_transitions.amount_cents: the amount an opportunity or a win was recorded with
--
-- Attribution (analytics/attribution.h) splits each deal's amount over its touchpoints;
-- the amount is a typed fact of the move, in cents, NULL for every other move. The
-- back-fill reads it from the outcome entry the lead_log wrote in the same transaction
-- (same lead, same time, the disposition the transition's cause names).

ALTER TABLE stage_transitions ADD COLUMN amount_cents INTEGER;

-- In cents as the server computes them (leads/lead_engine.cpp: the double times 100,
-- plus a half, truncated); an amount outside 0 to 10^12, which older versions let
-- through, is left out.
UPDATE stage_transitions SET amount_cents = (
  SELECT CASE WHEN json_extract(o.data, '$.amount') BETWEEN 0 AND 1e12
              THEN CAST(json_extract(o.data, '$.amount') * 100 + 0.5 AS INTEGER) END
  FROM lead_log o
  WHERE o.lead_id = stage_transitions.lead_id AND o.kind = 'outcome'
    AND o.at = stage_transitions.at AND json_valid(o.data)
    AND json_extract(o.data, '$.disposition') = substr(stage_transitions.cause, 10)
    AND json_type(o.data, '$.amount') IN ('integer', 'real')
  ORDER BY o.id DESC LIMIT 1)
WHERE cause IN ('outcome: opportunity', 'outcome: won');
