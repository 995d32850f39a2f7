// Gathering what a lead's handoff brief is built from (BriefInput, brief/brief.h): the
// person's events, the lead's log, assignments, touches and score, the catalog, the
// users, and the contact gate's answers for the owner — read in a lead's transaction
// (at assignment, where the lead may hold changes not written yet) or outside any (the
// API, the command line).
#pragma once

#include <concepts>

#include "auth/auth_store.h"
#include "brief/brief.h"
#include "catalog/catalog_store.h"
#include "contact/contact_store.h"
#include "ingest/event_store.h"
#include "leads/lead_engine.h"
#include "leads/lead_store.h"
#include "routing/routing_store.h"

namespace tandem {

// The reads a brief needs outside any transaction.
struct BriefReads {
  EventReads& events;
  LeadReads& leads;
  AssignmentReads& assignments;
  CatalogReads& catalog;
  UserReads& users;
  ContactReads& contact;
};

// The input as the owner's contact gate sees it at `now`, read in `txn`.
StatusOr<BriefInput> BriefInputFor(const LeadEngine& engine, LeadTxn& txn, const LeadRecord& lead,
                                   TimePoint now);
StatusOr<BriefInput> BriefInputFor(const LeadEngine& engine, BriefReads reads,
                                   const LeadRecord& lead, TimePoint now);
// The same from a store, which is every read BriefReads names.
template <typename S>
requires std::derived_from<S, EventStore> && std::derived_from<S, LeadReads> &&
    std::derived_from<S, AssignmentReads> && std::derived_from<S, CatalogReads> &&
    std::derived_from<S, UserReads> && std::derived_from<S, ContactReads>
        StatusOr<BriefInput> BriefInputFor(const LeadEngine& engine, S& store,
                                           const LeadRecord& lead, TimePoint now) {
  return BriefInputFor(engine, BriefReads{store, store, store, store, store, store}, lead, now);
}

// What a lead's new owner is told (the brief, its why-now line and its Markdown), for
// LeadEngine's assignment notice; read in `txn`.
StatusOr<OwnerBrief> OwnerBriefFor(const LeadEngine& engine, LeadTxn& txn, const LeadRecord& lead,
                                   TimePoint now);

}  // namespace tandem
