-- account_owners and two indexes: what the pipeline looks up per lead, without growing with the store
--
-- Routing by account (routing/routing_service.h) gives a new lead to the owner of the
-- most recently assigned lead of the same account that is still someone's. Found from
-- leads and assignments, that is a look at every lead of the account for every lead
-- routed: at thousands of leads an account, tens of milliseconds each, growing with
-- the account. account_owners keeps one row per lead that has an account, an owner and
-- an open assignment — the account, the owner and when the assignment started —
-- written in the same transaction as the lead or the assignment that changes it
-- (store/sql/sql_routing.cpp NoteAccountOwner), so the answer is one step down an
-- index. The back-fill below repeats NoteAccountOwner's rule; a test holds the two equal.
--
-- Round robin weighs each rep by their open leads: counted from an index of owner and
-- stage alone, not from the rows of every lead the rep ever owned. A merge of two
-- persons repoints those merged into the one that goes: found by index, not by reading
-- every person.

CREATE TABLE account_owners (
  lead_id         BIGINT PRIMARY KEY,  -- leads.id
  account_domain  TEXT NOT NULL,   -- leads.account_domain
  owner_id        BIGINT NOT NULL,     -- leads.owner_id
  started_at      BIGINT NOT NULL      -- assignments.started_at of its open assignment
);
CREATE INDEX account_owners_latest ON account_owners(account_domain, started_at, lead_id);

INSERT INTO account_owners (lead_id, account_domain, owner_id, started_at)
SELECT l.id, l.account_domain, l.owner_id, a.started_at
FROM leads l JOIN assignments a ON a.lead_id = l.id AND a.ended_at IS NULL
WHERE l.account_domain IS NOT NULL AND l.account_domain <> '' AND l.owner_id IS NOT NULL;

CREATE INDEX leads_owner_stage ON leads(owner_id, stage) WHERE owner_id IS NOT NULL;
CREATE INDEX persons_merged_into ON persons(merged_into) WHERE merged_into IS NOT NULL;
