-- campaign and content catalogs
--
-- The catalogs marketing maintains. Entries are stored whole as JSON (see
-- catalog/catalog.h); the columns beside the body are what lookups and constraints need.

CREATE TABLE campaigns (
  key           TEXT   PRIMARY KEY,
  utm_campaign  TEXT   NOT NULL,
  body          TEXT   NOT NULL,
  origin        TEXT   NOT NULL,
  updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX campaigns_utm ON campaigns(lower(utm_campaign));

CREATE TABLE content_assets (
  asset_id    TEXT   PRIMARY KEY,
  body        TEXT   NOT NULL,
  origin      TEXT   NOT NULL,
  updated_at  BIGINT NOT NULL
);
