#include "brief/brief_input.h"

#include <nlohmann/json.hpp>

namespace tandem {
namespace {

// The reads a brief needs, in a transaction or outside any.
struct StoreReads {
  BriefReads reads;
  auto Events(int64_t person) { return reads.events.PersonEvents(person, kPersonHistoryLimit); }
  auto Log(int64_t lead) { return reads.leads.ListLeadLog(lead); }
  auto Assignments(int64_t lead) { return reads.assignments.ListAssignments(lead); }
  auto Catalog() { return reads.catalog.LoadCatalog(); }
  auto Users() { return reads.users.ListUsers(); }
  auto Items(int64_t lead) { return reads.leads.ListScoreItems(lead); }
  auto Prefs(int64_t lead) { return reads.contact.GetContactPrefs(lead); }
  auto Consents(int64_t lead) { return reads.contact.ListConsents(lead); }
  auto Touches(int64_t lead) { return reads.contact.ListTouches(lead, TimePoint{}); }
};

ContactDecision Answer(const ContactConfig& policy, const ContactFacts& facts,
                       const std::optional<UserRecord>& owner, Channel channel, TimePoint now) {
  ContactRequest request;
  request.channel = channel;
  request.purpose = Purpose::kSalesOutreach;
  request.actor = owner;
  return DecideContact(policy, facts, request, now);
}

template <typename Reads>
StatusOr<BriefInput> Gather(const LeadEngine& engine, Reads reads, const LeadRecord& lead,
                            TimePoint now) {
  BriefInput in;
  in.lead = lead;
  in.now = now;
  in.hand_raise_events = engine.scoring()->hand_raise_events;
  in.hand_raise_forms = engine.scoring()->hand_raise_forms;
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
  in.call = Answer(engine.contact(), facts, in.owner, Channel::kCall, now);
  in.email = Answer(engine.contact(), facts, in.owner, Channel::kEmail, now);
  in.prefs = facts.prefs;
  in.zone = facts.zone;
  return in;
}

}  // namespace

StatusOr<BriefInput> BriefInputFor(const LeadEngine& engine, LeadTxn& txn, const LeadRecord& lead,
                                   TimePoint now) {
  return Gather(engine, StoreReads{BriefReads{txn, txn, txn, txn, txn, txn}}, lead, now);
}

StatusOr<BriefInput> BriefInputFor(const LeadEngine& engine, BriefReads reads,
                                   const LeadRecord& lead, TimePoint now) {
  return Gather(engine, StoreReads{reads}, lead, now);
}

StatusOr<OwnerBrief> OwnerBriefFor(const LeadEngine& engine, LeadTxn& txn, const LeadRecord& lead,
                                   TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(BriefInput input, BriefInputFor(engine, txn, lead, now));
  OwnerBrief out;
  out.brief = BuildBrief(input);
  out.why_now = out.brief["why_now"]["text"].get<std::string>();
  out.text = RenderBriefMarkdown(out.brief);
  return out;
}

}  // namespace tandem
