// The leak and hygiene report: leads that reached MQL and were never contacted, SLA
// compliance per rep and team, time from assignment to first touch, and what the
// contact gate refused. Built from the store on demand; /metrics shows the same numbers.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "auth/auth_store.h"
#include "contact/contact_store.h"
#include "core/clock.h"
#include "leads/lead_store.h"

namespace tandem {

struct SlaStats {
  std::string key;  // a user id ("usr_3"), a team name, or "all"
  std::string name;
  int64_t assigned = 0;
  int64_t met = 0;                   // first outbound touch by the due time
  int64_t breached = 0;              // no touch by the due time
  int64_t pending = 0;               // the clock is still running
  std::optional<double> compliance;  // met / (met + breached)
  std::optional<double> median_minutes_to_first_touch;
  std::optional<double> p90_minutes_to_first_touch;
};

struct HygieneReport {
  TimePoint since;
  int64_t never_touched = 0;
  SlaStats overall;
  std::vector<SlaStats> by_rep;
  std::vector<SlaStats> by_team;
  RefusalCounts refusals;
};

// What the report reads: leads, refusals and users, usually all from the one store.
struct HygieneSources {
  template <typename AllOfThem>
  HygieneSources(AllOfThem& store)  // NOLINT(google-explicit-constructor): a store is all three
      : leads(store), refusals(store), users(store) {}

  LeadListing& leads;
  ContactReports& refusals;
  UserReads& users;
};

// Assignments started since `since`; refusals since `since`.
StatusOr<HygieneReport> BuildHygieneReport(HygieneSources from, TimePoint since, TimePoint now);
nlohmann::json HygieneToJson(const HygieneReport& report);
// Prometheus text for /metrics.
std::string HygieneToPrometheus(const HygieneReport& report);

}  // namespace tandem
