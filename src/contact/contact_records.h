// What Tandem keeps about contacting a person: preferences, consents, touches and
// refusals.
// JSON-valued fields hold JSON text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "contact/channel.h"
#include "core/clock.h"

namespace tandem {

// How a person wants to be reached (or not). One row per lead; absent = defaults.
struct ContactPrefs {
  int64_t lead_id = 0;
  std::optional<Channel> preferred_channel;
  std::string timezone;               // set by hand; "" = from traits or country
  std::string do_not_contact = "{}";  // JSON: channel → reason
  std::optional<TimePoint> ooo_from;  // the lead is away during [from, until)
  std::optional<TimePoint> ooo_until;
  std::optional<TimePoint> unsubscribed_at;  // from all email, by the person
  std::string address_source;                // see AddressSources(); "" = event
  TimePoint updated_at;
};

// A consent given or withdrawn, as it happened. Append-only.
struct ConsentRecord {
  int64_t id = 0;
  int64_t lead_id = 0;
  Purpose purpose = Purpose::kSalesOutreach;
  std::string status;  // granted | withdrawn
  TimePoint at;
  std::string method;  // form | import | api | unsubscribe_link | preference_page
  std::string form_id;
  std::string wording;  // the exact text the person saw
  std::string actor;
  std::string address_source;
  // How the consent can be proven: the confirmation the person answered, the form
  // submission, the signed document (free text or JSON).
  std::string evidence;
};

// One contact with a lead, recorded through the contact gate. Append-only.
struct TouchRecord {
  int64_t id = 0;
  int64_t lead_id = 0;
  std::optional<int64_t> user_id;
  Channel channel = Channel::kEmail;
  Purpose purpose = Purpose::kSalesOutreach;
  std::string direction;  // outbound | inbound
  std::string note;
  std::string override_reason;
  std::string overridden = "[]";  // JSON: the refusal codes overridden
  std::string warnings = "[]";    // JSON: the warnings returned with it
  // Inbound touches only: "counted" (its engagement points were granted),
  // "awaiting_confirmation" (recorded by someone other than the owner; no points until
  // a manager confirms it) or "confirmed" (a manager did; points granted once).
  std::string score_status;
  TimePoint at;
};

// A touch the gate refused: the reports count them by reason.
struct GateRefusal {
  int64_t lead_id = 0;
  std::optional<int64_t> user_id;
  Channel channel = Channel::kEmail;
  Purpose purpose = Purpose::kSalesOutreach;
  std::string codes = "[]";  // JSON: the blocking reason codes
  bool concurrent = false;   // stopped because another touch had just been recorded
  TimePoint at;
};

// Refused touches by reason code, for the hygiene report.
struct RefusalCounts {
  std::vector<std::pair<std::string, int64_t>> by_code;
  int64_t total = 0;
  int64_t concurrent = 0;  // attempts stopped because another touch had just been recorded
};

}  // namespace tandem
