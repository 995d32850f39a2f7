// What Tandem holds about one person, as one JSON document: for a person's access request
// (GDPR Art. 15) and to take their data elsewhere (Art. 20). It holds their identities,
// every event stored for them with its payload as received, their lead with its owner and
// score, the history of each trait, contact preferences, consents, touches, the email sent
// to them and received from them, the lead's log (stage changes, outcomes, assignments
// and their reasons) and its assignments.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

#include "auth/user.h"
#include "contact/contact_records.h"
#include "email/email_records.h"
#include "email/inbound_store.h"
#include "identity/person.h"
#include "ingest/event_store.h"
#include "leads/lead.h"
#include "leads/lead_engine.h"
#include "privacy/privacy_store.h"
#include "routing/assignment.h"

namespace tandem {

// Every event a person may have (far beyond the history the brief and scoring read).
inline constexpr size_t kRecordEventLimit = 10'000'000;

struct PersonRecordData {
  Person person;
  std::optional<LeadRecord> lead;
  std::optional<UserRecord> owner;
  ScoreExplanation score;
  std::vector<StoredEvent> events;
  std::vector<TraitChange> traits;
  ContactPrefs prefs;
  std::vector<ConsentRecord> consents;
  std::vector<TouchRecord> touches;
  std::vector<EmailSend> sent;
  std::vector<InboundMessage> received;
  std::vector<LeadLogEntry> log;
  std::vector<AssignmentRecord> assignments;
};

nlohmann::json PersonRecordJson(const PersonRecordData& data, TimePoint exported_at);

// Reads everything `person_id` has (S: the store, with every domain's reads), for
// PersonRecordJson. NotFound when there is no such person.
template <typename S>
StatusOr<PersonRecordData> ReadPersonRecord(S& store, const LeadEngine& engine, int64_t person_id,
                                            TimePoint now) {
  PersonRecordData d;
  TANDEM_ASSIGN_OR_RETURN(auto person, store.GetPerson(person_id));
  if (!person) return NotFound("not_found", "no such person");
  d.person = std::move(*person);
  TANDEM_ASSIGN_OR_RETURN(d.events, store.PersonEvents(person_id, kRecordEventLimit));
  TANDEM_ASSIGN_OR_RETURN(d.lead, store.GetLead(person_id));
  if (!d.lead) return d;
  if (d.lead->owner_id) {
    TANDEM_ASSIGN_OR_RETURN(d.owner, store.GetUser(*d.lead->owner_id));
  }
  TANDEM_ASSIGN_OR_RETURN(auto items, store.ListScoreItems(person_id));
  TANDEM_ASSIGN_OR_RETURN(d.score, engine.ExplainScore(std::move(items), now));
  TANDEM_ASSIGN_OR_RETURN(d.traits, store.ListTraitHistory(person_id));
  TANDEM_ASSIGN_OR_RETURN(d.prefs, store.GetContactPrefs(person_id));
  TANDEM_ASSIGN_OR_RETURN(d.consents, store.ListConsents(person_id));
  TANDEM_ASSIGN_OR_RETURN(d.touches, store.ListTouches(person_id, TimePoint{}));
  TANDEM_ASSIGN_OR_RETURN(d.log, store.ListLeadLog(person_id));
  TANDEM_ASSIGN_OR_RETURN(d.assignments, store.ListAssignments(person_id));
  SendQuery sends;
  sends.lead_id = person_id;
  sends.limit = 500;
  for (;;) {  // newest first, a page at a time
    TANDEM_ASSIGN_OR_RETURN(auto page, store.ListSends(sends));
    d.sent.insert(d.sent.end(), page.begin(), page.end());
    if (page.size() < sends.limit) break;
    sends.before_id = page.back().id;
  }
  InboundQuery inbound;
  inbound.lead_id = person_id;
  inbound.limit = 500;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(auto page, store.ListInbound(inbound));
    d.received.insert(d.received.end(), page.begin(), page.end());
    if (page.size() < inbound.limit) break;
    inbound.before_id = page.back().id;
  }
  return d;
}

}  // namespace tandem
