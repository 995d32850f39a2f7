// RawReports: the reports' figures recounted with SQL of its own over the raw tables —
// the events as they came in, the lead log, the touches the gate recorded, the leads —
// and never over the fact tables the reports read (stage_transitions, touchpoints). The
// tests hold every report to it; the benchmark times the reports against it.
//
// What counts is written here from the product's definitions (design.md, analytics/):
// a person's first touchpoint is the first event with campaign fields, another site's
// referrer, or a named form or asset; a lead's funnel depth is the deepest stage it
// ever stood at; an outcome is a move a user recorded as rejected, lost or recycled,
// or any move to disqualified; speed to lead runs from a move to MQL to the first
// outbound touch a user made; a deal is a move to opportunity or customer, with the
// amount its outcome recorded.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "store/sql/sql_db.h"

namespace tandem::testing {

// A report's range (by the lead's creation for the funnel, by the move otherwise) and
// the moment it answers as of (none: now).
struct RawScope {
  TimePoint from;
  TimePoint to;
  std::optional<TimePoint> as_of;
};

// One move to MQL: its group, the milliseconds to the first sales touch (none: never),
// and the deepest funnel rank the lead moved to from then on.
struct RawMql {
  std::string group;
  std::optional<int64_t> response_ms;
  int later_rank = 0;
};

// One deal: "opportunity" or "customer", its amount in cents, and the group of the
// touchpoint credited with it.
struct RawDeal {
  std::string stage;
  int64_t cents = 0;
  std::string group;
};

// `by` below names a report dimension: source, medium, campaign, keyword,
// referrer_domain, form, content_item (of the first touchpoint), rep, or "" for none.
class RawReports {
 public:
  explicit RawReports(sql::Db& db) : db_(db) {}

  // Reads the raw tables into the session's own temporary tables (the JSON taken
  // apart once); again after the data changed.
  Status Load();

  // Group → leads that reached each funnel stage (lead, MQL, SAL, SQL, opportunity,
  // customer).
  using FunnelCounts = std::map<std::string, std::array<int64_t, 6>>;
  StatusOr<FunnelCounts> Funnel(const RawScope& scope, std::string_view by);
  // Group → for each funnel step, the whole hours each lead that took it took.
  using StepHours = std::map<std::string, std::array<std::vector<int64_t>, 5>>;
  StatusOr<StepHours> Velocity(const RawScope& scope, std::string_view by);
  // (group, outcome, reason) → outcomes.
  using OutcomeCounts = std::map<std::tuple<std::string, std::string, std::string>, int64_t>;
  StatusOr<OutcomeCounts> Outcomes(const RawScope& scope, std::string_view by);
  StatusOr<std::vector<RawMql>> Mqls(const RawScope& scope, std::string_view by);
  // Each deal credited wholly to the first (or the last) touchpoint at or before it.
  StatusOr<std::vector<RawDeal>> Deals(const RawScope& scope, std::string_view by, bool last_touch);

 private:
  StatusOr<sql::Statement*> Prepare(const std::string& sql, const RawScope& scope);
  StatusOr<std::string> GroupOf(std::string_view by, std::string_view lead) const;
  std::string FirstTouch(std::string_view by) const;

  sql::Db& db_;
};

}  // namespace tandem::testing
