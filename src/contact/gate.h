// The contact gate's decision: may this user contact this lead now, on this channel,
// for this purpose? A pure function of the policy and the facts, so the same answer
// serves the read-only contact check and the touch that is recorded atomically with it.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "contact/contact_policy.h"
#include "contact/contact_records.h"
#include "core/clock.h"
#include "core/stage.h"
#include "core/zones.h"
#include "routing/assignment.h"

namespace tandem {

struct ContactRequest {
  Channel channel = Channel::kEmail;
  Purpose purpose = Purpose::kSalesOutreach;
  std::string direction = "outbound";
  std::optional<UserRecord> actor;  // nullopt: the system
  bool override = false;            // REQUIRES: checked for role and reason by the caller
};

// The lead's time zone and where it came from: preferences, traits, country, unknown.
struct LeadZone {
  std::optional<TimeZone> zone;
  std::string source = "unknown";
  std::string detail;  // e.g. the country the zone was guessed from
};

// Whom a contact is with, as the contact domain sees a lead. Filled in by the owner of
// the lead's record (leads/), so contact/ never reads it.
struct ContactSubject {
  int64_t lead_id = 0;
  std::string email;  // the lead's address; "" when it has none
  Stage stage = Stage::kLead;
  std::optional<int64_t> owner_id;
  std::string traits = "{}";  // JSON object text: where the time zone is guessed from
};

struct ContactFacts {
  ContactSubject subject;
  ContactPrefs prefs;
  std::vector<ConsentRecord> consents;  // oldest first
  std::vector<TouchRecord> touches;     // recent ones (see TouchLookback), oldest first
  std::optional<UserRecord> owner;
  std::optional<AssignmentRecord> open_assignment;
  LeadZone zone;
  std::map<int64_t, std::string> user_names;  // the owner's and the touches' users, by id
};

struct ContactReason {
  std::string code;
  std::string severity;  // block | warn
  std::string message;
  std::optional<TimePoint> until;
  bool overridden = false;
};

struct ContactDecision {
  bool allowed = true;
  std::vector<ContactReason> reasons;
  std::vector<std::string> overridden;  // codes an override let through
  bool concurrent = false;              // refused because of a touch recorded moments ago
};

ContactDecision DecideContact(const ContactConfig& policy, const ContactFacts& facts,
                              const ContactRequest& request, TimePoint now);

// The first moment at or after `now` the gate lets `owner` start sales outreach on some
// channel, by stepping past each refusal that ends (quiet hours, out of office, the
// cooldown after another user's touch, frequency caps). nullopt when every channel is
// refused for good (unsubscribed, do not contact, no consent, a closed stage) or not
// free within `horizon`. REQUIRES: facts.subject is owned by `owner`.
std::optional<TimePoint> EarliestOwnerContact(
    const ContactConfig& policy, const ContactFacts& facts, const UserRecord& owner, TimePoint now,
    std::chrono::hours horizon = std::chrono::hours(24 * 366));

// An out-of-office window as given: each end a time, or a date (then `*_is_date`, and
// the time point is that date's midnight UTC, as a date field parses).
struct OutOfOfficeInput {
  TimePoint from;
  TimePoint until;
  bool from_is_date = false;
  bool until_is_date = false;
};
// The window as moments: a date is a day in the person's own `zone` — "from 1
// December" starts at their midnight, "until 12 December" runs through their 12th.
std::pair<TimePoint, TimePoint> ResolveOutOfOffice(const OutOfOfficeInput& input,
                                                   const TimeZone& zone);

// How far back the decision looks at touches.
std::chrono::hours TouchLookback(const ContactConfig& policy);

// The lead's zone: preferences, else traits.timezone, else the country's main zone.
LeadZone FindLeadZone(const ContactPrefs& prefs, const nlohmann::json& traits);

// The effective consent for a purpose: "granted", "withdrawn" or "" (none recorded).
// A withdrawal is never undone by an import.
std::string ConsentState(const std::vector<ConsentRecord>& consents, Purpose purpose);

// Whether `email` is the address the person opted out of email marketing with (the
// latest withdrawal records it). A confirmation to subscribe again goes only there:
// whoever changes the lead's address afterwards cannot have it sent to theirs.
bool IsOptOutAddress(const std::vector<ConsentRecord>& consents, std::string_view email);

nlohmann::json ReasonsToJson(const std::vector<ContactReason>& reasons);

}  // namespace tandem
