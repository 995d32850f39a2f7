// An assignment: a lead given to one owner, with its follow-up SLA timers.
// JSON-valued fields hold JSON text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"

namespace tandem {

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

}  // namespace tandem
