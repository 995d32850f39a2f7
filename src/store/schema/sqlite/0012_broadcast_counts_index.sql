-- A broadcast's progress counted from an index: its sends by status and refusal reason
-- The progress of a broadcast (sends by status, refusals by reason) is read every few
-- seconds while it runs. Counted from the table, it read every send's row, rendered
-- message included (about 20 KB each: 2 GB for 100,000 recipients); this index holds
-- all three columns, so the count reads the index alone.
CREATE INDEX email_sends_broadcast_reason ON email_sends(broadcast_id, status, reason);
DROP INDEX email_sends_broadcast;
