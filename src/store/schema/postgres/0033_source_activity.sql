-- sources_last_event: when each source last sent an event
--
-- The sources page says whether a website's snippet works: the last time an event of
-- the source was stored. Ingest writes it at most once a minute per source; existing
-- sources start from the events they have.

ALTER TABLE sources ADD COLUMN last_event_at BIGINT;
UPDATE sources SET last_event_at = (SELECT MAX(received_at) FROM events
                                     WHERE events.source_id = sources.id);
