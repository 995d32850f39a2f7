// A lead, what happened to it, and how a list of leads is asked for.
// JSON-valued fields hold JSON text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/stage.h"

namespace tandem {

struct LeadRecord {
  int64_t id = 0;  // the person's id
  std::string email;
  std::string name;
  std::string title;
  std::string company_name;
  std::string account_domain;
  std::string country;        // leads/lead_traits.h CountryOf, kept for the reports
  std::string company_size;   // CompanySizeBand
  std::string traits = "{}";  // JSON object
  Stage stage = Stage::kLead;
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

// What the lead did with email Tandem sent, as scoring reads it: a reader's click, the
// first time a reader opened an email, a reply matched to what was sent. Each is scored
// as a track event of that name (the Segment email events), so engagement rules on
// "Email Link Clicked", "Email Opened" and "Email Replied" apply; opens by machines
// (mail privacy proxies, scanners) are never among them.
struct EmailSignal {
  std::string event;  // "Email Link Clicked" | "Email Opened" | "Email Replied"
  TimePoint at;
  std::string email_id;  // em_…: the email it was about ("" for a reply matched by address)
  std::string link_url;  // a click's link
};

struct LeadQuery {
  // kId: oldest lead first, by id (a broadcast walks its audience this way).
  enum class Sort { kScore, kCreated, kSla, kUpdated, kId };
  std::optional<int64_t> owner_id;
  bool unassigned = false;
  bool queued = false;
  std::vector<Stage> stages;  // any of these
  std::string stage_reason;   // the reason of its stage (a recycled lead's: "not_ready"), any case
  std::string priority;
  std::string team;
  std::optional<double> min_score;
  std::optional<TimePoint> updated_since;
  std::string source;        // the first touch's source, in any case
  std::string form;          // a form the lead submitted (an event's properties.form or form_id)
  std::string search;        // part of the email, name or company, in any case
  std::string account;       // the account's domain (leads.account_domain), lower case
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
