-- brief_events: what the brief reads of each stitched event, kept by person
--
-- The few fields of an event that a lead's why-now line reads (brief/brief_event.h),
-- taken out of the stored message once, when the pipeline stitches the event to a
-- person. The key leads with the person, so a page of leads reads each lead's events
-- side by side instead of one row of the events table at a time. Rows move with their
-- events when persons merge. Events stitched before this version are extracted when
-- the server first starts on it, from the event id this migration records.

CREATE TABLE brief_events (
  person_id     INTEGER NOT NULL,  -- persons.id
  timestamp     INTEGER NOT NULL,
  event_id      INTEGER NOT NULL,  -- events.id
  type          TEXT    NOT NULL,
  name          TEXT    NOT NULL,
  path          TEXT    NOT NULL,
  title         TEXT    NOT NULL,
  asset_id      TEXT    NOT NULL,
  form          TEXT    NOT NULL,
  subject       TEXT    NOT NULL,
  utm_campaign  TEXT    NOT NULL,
  known         INTEGER NOT NULL,  -- 1: the person was identified when it happened
  PRIMARY KEY (person_id, timestamp, event_id)
) WITHOUT ROWID;

INSERT INTO settings (name, value)
SELECT 'brief_events_backfill_upto', CAST(MAX(id) AS TEXT) FROM events
WHERE person_id IS NOT NULL HAVING COUNT(*) > 0;
