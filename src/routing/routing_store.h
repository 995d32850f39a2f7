// What routing asks of the store: the lead's assignments, the owners' load, and the
// round-robin state of each team, inside a lead's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "routing/assignment.h"

namespace tandem {

class AssignmentReads {
 public:
  virtual ~AssignmentReads() = default;
  // The lead's assignments, oldest first.
  virtual StatusOr<std::vector<AssignmentRecord>> ListAssignments(int64_t lead_id) = 0;
};

class RoutingWrites {
 public:
  virtual ~RoutingWrites() = default;
  // Leads the user owns that are open for sales (see IsOpenForSales).
  virtual StatusOr<int> CountOpenLeads(int64_t user_id) = 0;
  // The owner of another lead of the account, the most recently assigned first.
  virtual StatusOr<std::optional<int64_t>> FindAccountOwner(std::string_view domain,
                                                            int64_t except_lead) = 0;
  virtual StatusOr<std::vector<std::pair<int64_t, double>>> RoutingPasses(
      std::string_view team) = 0;
  virtual Status SetRoutingPass(std::string_view team, int64_t user_id, double pass) = 0;
  virtual StatusOr<double> VirtualTime(std::string_view team) = 0;
  virtual Status SetVirtualTime(std::string_view team, double virtual_time) = 0;
  // Opens an assignment; fails with a conflict if the lead has an open one.
  virtual Status StartAssignment(const AssignmentRecord& assignment) = 0;
  // Ends the lead's open assignment, if any.
  virtual Status EndAssignment(int64_t lead_id, TimePoint at, std::string_view reason) = 0;
  // The lead's open assignment, with its SLA timers.
  virtual StatusOr<std::optional<AssignmentRecord>> OpenAssignment(int64_t lead_id) = 0;
  virtual Status UpdateAssignmentSla(const AssignmentRecord& assignment) = 0;
};

}  // namespace tandem
