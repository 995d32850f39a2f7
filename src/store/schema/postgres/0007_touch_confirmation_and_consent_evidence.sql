-- inbound touch confirmation, consent evidence
--
-- Contact trust: whether an inbound touch earned its points (or waits for a manager to
-- confirm it), and the evidence a consent was recorded with.

ALTER TABLE touches ADD COLUMN score_status TEXT NOT NULL DEFAULT '';
UPDATE touches SET score_status = 'counted' WHERE direction = 'inbound';
ALTER TABLE consents ADD COLUMN evidence TEXT;
