-- attributed_deals, attributed_touches, attribution_days: the attribution report's sums per day, kept as deals are made
--
-- The attribution report (analytics/attribution.h) credits each deal — a lead's move to
-- opportunity or customer — to the touchpoints of its person by a model. attribution_days
-- keeps, for each model but time decay (whose half-life each request sets), the credits
-- (in millionths of a deal) and amounts (in cents) per dimension, UTC day of the deal,
-- group and whether the deal was won, with the number of deals that gave the group any
-- credit; dim '' holds the totals. attributed_deals and attributed_touches keep each
-- lead's deals and touchpoints as those sums counted them, so that when a lead's moves,
-- touchpoints or groups change, the sums move by the difference in the same transaction
-- (store/sql/sql_attribution_facts.cpp). A report sums the whole days of its range and
-- credits only the deals of the part of a day at either end one by one.
--
-- The credits are the models' own arithmetic (largest remainders), not SQL's: this
-- migration leaves the setting attribution_backfill_after, and the store counts the deals
-- of every lead that has any, in batches, when it opens and before it serves. A test
-- holds the sums kept live equal to that back-fill of the same facts.

CREATE TABLE attributed_deals (
  transition_id    INTEGER PRIMARY KEY REFERENCES stage_transitions(id),
  lead_id          INTEGER NOT NULL REFERENCES leads(id),
  stage            TEXT NOT NULL,  -- opportunity or customer
  at               INTEGER NOT NULL,
  amount_cents     INTEGER NOT NULL,
  lead_created_at  INTEGER NOT NULL,
  opportunity_at   INTEGER NOT NULL,  -- the lead's latest move to opportunity up to the deal
  rep              TEXT NOT NULL,  -- the lead's groups as lead_funnel keeps them: usr_<owner id>,
  team             TEXT NOT NULL,  -- team, country and size band ('' for none)
  country          TEXT NOT NULL,
  company_size     TEXT NOT NULL
);
CREATE INDEX attributed_deals_lead ON attributed_deals(lead_id, at);

-- The lead's touchpoints up to its latest deal.
CREATE TABLE attributed_touches (
  lead_id          INTEGER NOT NULL REFERENCES leads(id),
  at               INTEGER NOT NULL,
  event_id         INTEGER NOT NULL,
  type             TEXT NOT NULL,
  source           TEXT NOT NULL,
  medium           TEXT NOT NULL,
  campaign         TEXT NOT NULL,
  term             TEXT NOT NULL,
  content          TEXT NOT NULL,
  referrer_domain  TEXT NOT NULL,
  landing_page     TEXT NOT NULL,
  form             TEXT NOT NULL,
  content_item     TEXT NOT NULL,
  PRIMARY KEY (lead_id, at, event_id)
) WITHOUT ROWID;

CREATE TABLE attribution_days (
  model   TEXT NOT NULL,  -- first_touch, last_touch, linear, u_shaped or w_shaped
  dim     TEXT NOT NULL,  -- as funnel_days ('' for the totals)
  day     INTEGER NOT NULL,  -- days since 1970-01-01 (UTC) of the deal
  g       TEXT NOT NULL,
  won     INTEGER NOT NULL,  -- 1: moves to customer; 0: moves to opportunity
  micros  INTEGER NOT NULL,
  cents   INTEGER NOT NULL,
  deals   INTEGER NOT NULL,
  PRIMARY KEY (model, dim, day, g, won)
) WITHOUT ROWID;

INSERT INTO settings (name, value) VALUES ('attribution_backfill_after', '0')
ON CONFLICT (name) DO UPDATE SET value = excluded.value;
