// LeadEngine: gathering a lead's handoff brief input, from a transaction (at assignment,
// where the lead holds changes not written yet) or from the store (the API).
#include <nlohmann/json.hpp>

#include "brief/brief.h"
#include "leads/lead_engine.h"

namespace tandem {
namespace {

// The reads a brief needs, under one name for both sources.
struct TxnReads {
  LeadTxn& txn;
  auto Events(int64_t person) { return txn.PersonEvents(person); }
  auto Log(int64_t lead) { return txn.ListLeadLog(lead); }
  auto Assignments(int64_t lead) { return txn.ListAssignments(lead); }
  auto Catalog() { return txn.LoadCatalog(); }
  auto Users() { return txn.ListUsers(); }
  auto Items(int64_t lead) { return txn.ListScoreItems(lead); }
  auto Prefs(int64_t lead) { return txn.GetContactPrefs(lead); }
  auto Consents(int64_t lead) { return txn.ListConsents(lead); }
  auto Touches(int64_t lead) { return txn.ListTouches(lead, TimePoint{}); }
};

struct StoreReads {
  Store& store;
  auto Events(int64_t person) { return store.ListPersonEvents(person, 100000); }
  auto Log(int64_t lead) { return store.ListLeadLog(lead); }
  auto Assignments(int64_t lead) { return store.ListAssignments(lead); }
  auto Catalog() { return store.LoadCatalog(); }
  auto Users() { return store.ListUsers(); }
  auto Items(int64_t lead) { return store.ListScoreItems(lead); }
  auto Prefs(int64_t lead) { return store.GetContactPrefs(lead); }
  auto Consents(int64_t lead) { return store.ListConsents(lead); }
  auto Touches(int64_t lead) { return store.ListTouches(lead, TimePoint{}); }
};

ContactDecision Answer(const ContactConfig& policy, const ContactFacts& facts,
                       const std::optional<UserRecord>& owner, std::string channel, TimePoint now) {
  ContactRequest request;
  request.channel = std::move(channel);
  request.purpose = "sales_outreach";
  request.actor = owner;
  return DecideContact(policy, facts, request, now);
}

template <typename Reads>
StatusOr<BriefInput> Gather(const LeadEngine& engine, Reads reads, const LeadRecord& lead,
                            TimePoint now) {
  BriefInput in;
  in.lead = lead;
  in.now = now;
  in.hand_raise_events = engine.scoring().hand_raise_events;
  in.hand_raise_forms = engine.scoring().hand_raise_forms;
  TANDEM_ASSIGN_OR_RETURN(auto events, reads.Events(lead.id));
  in.events = ExtractBriefEvents(events);
  TANDEM_ASSIGN_OR_RETURN(in.log, reads.Log(lead.id));
  TANDEM_ASSIGN_OR_RETURN(in.assignments, reads.Assignments(lead.id));
  TANDEM_ASSIGN_OR_RETURN(in.catalog, reads.Catalog());
  TANDEM_ASSIGN_OR_RETURN(in.users, reads.Users());
  TANDEM_ASSIGN_OR_RETURN(auto items, reads.Items(lead.id));
  TANDEM_ASSIGN_OR_RETURN(in.score, engine.ExplainScore(std::move(items), now));
  TANDEM_ASSIGN_OR_RETURN(in.touches, reads.Touches(lead.id));
  for (const UserRecord& u : in.users) {
    if (lead.owner_id && u.id == *lead.owner_id) in.owner = u;
  }
  // The gate's facts, as ContactFactsFor reads them.
  ContactFacts facts;
  facts.subject = ContactSubjectOf(in.lead);
  TANDEM_ASSIGN_OR_RETURN(facts.prefs, reads.Prefs(lead.id));
  TANDEM_ASSIGN_OR_RETURN(facts.consents, reads.Consents(lead.id));
  const TimePoint since = now - TouchLookback(engine.contact());
  for (const TouchRecord& t : in.touches) {
    if (t.at >= since) facts.touches.push_back(t);
  }
  for (const AssignmentRecord& a : in.assignments) {
    if (!a.ended_at) facts.open_assignment = a;
  }
  facts.owner = in.owner;
  nlohmann::json traits = nlohmann::json::parse(lead.traits, nullptr, false);
  facts.zone = FindLeadZone(facts.prefs, traits.is_object() ? traits : nlohmann::json::object());
  in.call = Answer(engine.contact(), facts, in.owner, "call", now);
  in.email = Answer(engine.contact(), facts, in.owner, "email", now);
  in.prefs = facts.prefs;
  in.zone = facts.zone;
  return in;
}

}  // namespace

StatusOr<BriefInput> LeadEngine::BriefInputFor(LeadTxn& txn, const LeadRecord& lead,
                                               TimePoint now) const {
  return Gather(*this, TxnReads{txn}, lead, now);
}

StatusOr<BriefInput> LeadEngine::BriefInputFor(Store& store, const LeadRecord& lead,
                                               TimePoint now) const {
  return Gather(*this, StoreReads{store}, lead, now);
}

}  // namespace tandem
