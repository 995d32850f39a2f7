#include "privacy/person_record.h"

#include "contact/gate.h"
#include "core/ids.h"
#include "core/time_format.h"
#include "leads/lead_json.h"

namespace tandem {
namespace {

using nlohmann::json;

json Parsed(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json(text) : j;
}

json EventJson(const StoredEvent& e) {
  return {{"id", e.id},
          {"type", e.record.type},
          {"name", e.record.event},
          {"message_id", e.record.message_id},
          {"timestamp", FormatIsoTime(e.record.timestamp)},
          {"received_at", FormatIsoTime(e.record.received_at)},
          {"message", Parsed(e.record.payload)}};
}

json SentJson(const EmailSend& s) {
  return {{"id", s.uid},
          {"to", s.to_address},
          {"subject", s.subject},
          {"template", s.template_key},
          {"status", SendStatusName(s.status)},
          {"created_at", FormatIsoTime(s.created_at)},
          {"sent_at", TimeOrNull(s.sent_at)},
          {"opens", s.opens},
          {"clicks", s.clicks}};
}

json ReceivedJson(const InboundMessage& m) {
  return {{"id", m.uid},
          {"kind", m.kind},
          {"from", m.from_address},
          {"subject", m.subject},
          {"received_at", FormatIsoTime(m.received_at)},
          {"detail", Parsed(m.detail)}};
}

json AssignmentJson(const AssignmentRecord& a) {
  return {{"owner", UserIdText(a.user_id)},
          {"rule", a.rule},
          {"reason", a.reason},
          {"by", a.actor},
          {"started_at", FormatIsoTime(a.started_at)},
          {"ended_at", TimeOrNull(a.ended_at)},
          {"end_reason", a.end_reason},
          {"sla_due_at", TimeOrNull(a.sla_due_at)},
          {"sla_breached_at", TimeOrNull(a.sla_breached_at)}};
}

}  // namespace

json PersonRecordJson(const PersonRecordData& d, TimePoint exported_at) {
  json identities = json::array();
  for (const Identity& i : d.person.identities) {
    identities.push_back({{"kind", IdentityKindName(i.kind)}, {"value", i.value}});
  }
  json out = {{"exported_at", FormatIsoTime(exported_at)},
              {"person",
               {{"id", LeadIdText(d.person.id)},
                {"identities", identities},
                {"first_seen_at", FormatIsoTime(d.person.created_at)}}},
              {"lead", d.lead ? LeadToJson(*d.lead, d.owner, d.score) : json(nullptr)},
              {"events", json::array()},
              {"trait_history", json::array()},
              {"consents", json::array()},
              {"touches", json::array()},
              {"emails_sent", json::array()},
              {"emails_received", json::array()},
              {"log", json::array()},
              {"assignments", json::array()}};
  for (const StoredEvent& e : d.events) out["events"].push_back(EventJson(e));
  if (!d.lead) return out;
  out["preferences"] = PreferencesToJson(d.prefs, d.consents, {});
  for (const TraitChange& t : d.traits) {
    out["trait_history"].push_back({{"trait", t.trait},
                                    {"value", t.value ? json(*t.value) : json(nullptr)},
                                    {"event_id", t.event_id ? json(*t.event_id) : json(nullptr)},
                                    {"at", FormatIsoTime(t.at)}});
  }
  for (const ConsentRecord& c : d.consents) out["consents"].push_back(ConsentToJson(c));
  for (const TouchRecord& t : d.touches) out["touches"].push_back(TouchToJson(t));
  for (auto it = d.sent.rbegin(); it != d.sent.rend(); ++it) {
    out["emails_sent"].push_back(SentJson(*it));  // oldest first
  }
  for (auto it = d.received.rbegin(); it != d.received.rend(); ++it) {
    out["emails_received"].push_back(ReceivedJson(*it));
  }
  for (const LeadLogEntry& l : d.log) {
    out["log"].push_back(
        {{"at", FormatIsoTime(l.at)}, {"kind", l.kind}, {"by", l.actor}, {"data", Parsed(l.data)}});
  }
  for (const AssignmentRecord& a : d.assignments) out["assignments"].push_back(AssignmentJson(a));
  return out;
}

}  // namespace tandem
