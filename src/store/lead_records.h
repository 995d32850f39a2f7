// The records Tandem keeps about users, leads and what happens to them, as the Store
// reads and writes them. JSON-valued fields hold JSON text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "scoring/scorer.h"

namespace tandem {

struct UserRecord {
  int64_t id = 0;
  std::string email;
  std::string name;
  std::string role;  // admin | marketing | sales_manager | sales_rep | viewer
  std::string team;  // may be empty
  std::string timezone = "UTC";
  int capacity = 50;         // open leads the user can work at once
  int hours_start = 9 * 60;  // working hours, minutes after local midnight
  int hours_end = 17 * 60 + 30;
  bool active = true;
  std::optional<TimePoint> ooo_from;  // out of office during [from, until)
  std::optional<TimePoint> ooo_until;
  TimePoint created_at;
  TimePoint updated_at;

  bool OutOfOfficeAt(TimePoint t) const {
    return ooo_from && ooo_until && *ooo_from <= t && t < *ooo_until;
  }
};

// What signing in needs of a user.
struct Credentials {
  UserRecord user;
  std::string password_hash;  // argon2id; "" when no password was ever set
};

// A signed-in browser. Only the hash of its token is stored.
struct SessionRecord {
  std::string token_hash;
  int64_t user_id = 0;
  std::string csrf_token;  // sent back in X-CSRF-Token with every change
  TimePoint created_at;
  TimePoint expires_at;
};

// An API token as it is listed. Its secret is never stored, only its hash.
struct ApiTokenRecord {
  int64_t id = 0;  // shown as tok_<id>
  int64_t user_id = 0;
  std::string name;  // what it is for ("zapier"); may be empty
  TimePoint created_at;
  std::optional<TimePoint> expires_at;    // none: until revoked
  std::optional<TimePoint> last_used_at;  // coarse: recorded at most once a minute
};

struct LeadRecord {
  int64_t id = 0;  // the person's id
  std::string email;
  std::string name;
  std::string title;
  std::string company_name;
  std::string account_domain;
  std::string traits = "{}";  // JSON object
  std::string stage = "lead";
  std::string stage_reason;
  std::optional<TimePoint> revisit_on;
  std::string priority;  // "hot", "mql" or ""
  std::optional<int64_t> owner_id;
  std::string team;
  bool queued = false;  // waiting in the fallback queue for an owner
  double fit = 0;
  double engagement_ref = 0;  // see scoring/scorer.h EngagementRef
  std::string first_touch;    // JSON object or ""
  std::string last_touch;
  int64_t visits = 0;
  std::optional<TimePoint> mql_at;
  std::optional<TimePoint> sla_due_at;
  std::optional<TimePoint> sla_met_at;
  std::optional<TimePoint> sla_breached_at;
  std::optional<TimePoint> last_activity_at;
  std::optional<TimePoint> contacted_at;  // the first outbound touch ever
  TimePoint created_at;
  TimePoint updated_at;
};

struct AssignmentRecord {
  int64_t id = 0;
  int64_t lead_id = 0;
  int64_t user_id = 0;
  std::string rule;
  std::string reason;
  std::string candidates = "[]";  // JSON
  std::string actor;
  TimePoint started_at;
  std::optional<TimePoint> ended_at;
  std::string end_reason;
  // The follow-up SLA of this assignment: the first outbound touch is due by
  // sla_due_at; the owner is reminded at sla_warn_at.
  std::optional<TimePoint> sla_due_at;
  std::optional<TimePoint> sla_warn_at;
  std::optional<TimePoint> sla_reminded_at;
  std::optional<TimePoint> sla_breached_at;
  std::optional<TimePoint> first_touch_at;  // the first outbound touch while it lasted
};

// How a person wants to be reached (or not). One row per lead; absent = defaults.
struct ContactPrefs {
  int64_t lead_id = 0;
  std::string preferred_channel;
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
  std::string purpose;
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
  std::string channel;
  std::string purpose;
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
  std::string channel;
  std::string purpose;
  std::string codes = "[]";  // JSON: the blocking reason codes
  bool concurrent = false;   // stopped because another touch had just been recorded
  TimePoint at;
};

// Something that happened to a lead other than an event: stage_changed, assigned,
// unassigned, score_changed, outcome, traits_changed, merged.
struct LeadLogEntry {
  int64_t id = 0;
  int64_t lead_id = 0;
  TimePoint at;
  std::string kind;
  std::string actor;        // "system", "rule:…", "user:<id>"
  std::string data = "{}";  // JSON
};

struct OutboxMessage {
  int64_t id = 0;
  std::string uid;  // the delivery id receivers de-duplicate on
  std::string type;
  std::optional<int64_t> lead_id;
  std::string payload;  // the complete body, JSON
  TimePoint created_at;
};

struct PendingDelivery {
  int64_t id = 0;
  std::string endpoint;
  int attempts = 0;
  OutboxMessage message;
};

// Refused touches by reason code, for the hygiene report.
struct RefusalCounts {
  std::vector<std::pair<std::string, int64_t>> by_code;
  int64_t total = 0;
  int64_t concurrent = 0;  // attempts stopped because another touch had just been recorded
};

struct LeadQuery {
  enum class Sort { kScore, kCreated, kSla, kUpdated };
  std::optional<int64_t> owner_id;
  bool unassigned = false;
  bool queued = false;
  std::vector<std::string> stages;  // any of these
  std::string priority;
  std::string team;
  std::optional<double> min_score;
  std::optional<TimePoint> updated_since;
  std::string source;        // the first touch's source, in any case
  std::string search;        // part of the email, name or company, in any case
  bool sla_overdue = false;  // the first-contact deadline passed (at score_at) with no contact
  Sort sort = Sort::kCreated;
  size_t limit = 50;
  // Scores are compared at this moment (see EngagementRef).
  TimePoint score_at;
  double half_life_days = 30;
  // Keyset: continue after this position of the sort.
  struct After {
    bool is_null = false;  // sla sort: past the leads with a due time
    double key = 0;
    int64_t id = 0;
  };
  std::optional<After> after;
};

}  // namespace tandem
