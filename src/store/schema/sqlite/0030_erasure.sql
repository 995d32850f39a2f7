-- erased_addresses, erased_address_returns, leads.erased_at: what an erasure keeps
--
-- An erased person (privacy/erasure.h) leaves no personal data, only what keeps the
-- reports' counts: the lead's row stays as a tombstone (its id, stage, dates, owner and
-- report groups; no name, address, title, company or traits) with erased_at set, which
-- every read of leads but the reports skips. erased_addresses keeps the keyed hash
-- (HMAC-SHA256 under the server's signing secret, identity/erased_address.h) of each
-- address the person had, so that no marketing email reaches the address again if it
-- comes back; erased_address_returns notes each source through which it came back, once.
-- The indexes let the erasure find every row of the person without a scan (persons by
-- merged_into has one since 0019).

ALTER TABLE leads ADD COLUMN erased_at INTEGER;

CREATE TABLE erased_addresses (
  address_key  TEXT    PRIMARY KEY,  -- hex HMAC-SHA256 of the normalized address
  erased_at    INTEGER NOT NULL
);

CREATE TABLE erased_address_returns (
  address_key  TEXT    NOT NULL,  -- erased_addresses.address_key
  source_id    INTEGER NOT NULL,  -- sources.id of the event that brought it back
  person_id    INTEGER NOT NULL,  -- the person it came back as
  returned_at  INTEGER NOT NULL,
  PRIMARY KEY (address_key, source_id)
);

CREATE INDEX gate_refusals_lead ON gate_refusals(lead_id);
CREATE INDEX outbox_lead ON outbox(lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX deliveries_lead ON deliveries(lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX inbound_messages_from ON inbound_messages(lower(from_address));
CREATE INDEX person_merges_into ON person_merges(into_person);
