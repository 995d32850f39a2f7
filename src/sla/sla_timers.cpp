#include "sla/sla_timers.h"

#include "core/zones.h"
#include "sla/business_hours.h"

namespace tandem {

std::optional<TimePoint> SlaTimers::Start(AssignmentRecord& a, std::string_view priority,
                                          ContactFacts facts, const UserRecord& owner,
                                          TimePoint now) const {
  facts.owner = owner;
  facts.open_assignment.reset();  // the one being started
  std::optional<TimePoint> gate_opens = EarliestOwnerContact(contact_, facts, owner, now);
  const TimePoint from = gate_opens && *gate_opens > now ? *gate_opens : now;
  const SlaTarget& target = priority == "hot"   ? sla_.hot
                            : priority == "mql" ? sla_.mql
                                                : sla_.other;
  WorkWeek week;
  week.start_minute = owner.hours_start;
  week.end_minute = owner.hours_end;
  week.days = sla_.business_days;
  const TimeZone zone = TimeZone::Find(owner.timezone).value_or(TimeZone::Utc());
  const double minutes = target.minutes + target.days * static_cast<double>(week.DayMinutes());
  a.sla_due_at = AddBusinessMinutes(zone, week, from, minutes);
  a.sla_warn_at = AddBusinessMinutes(zone, week, from, minutes * sla_.warning_at);
  if (from > now) return from;
  return std::nullopt;
}

StatusOr<std::optional<DueSlaTimer>> SlaTimers::Due(RoutingWrites& txn, int64_t lead_id,
                                                    TimePoint now) const {
  TANDEM_ASSIGN_OR_RETURN(auto open, txn.OpenAssignment(lead_id));
  if (!open || open->first_touch_at || open->sla_breached_at || !open->sla_due_at) {
    return std::optional<DueSlaTimer>();
  }
  if (*open->sla_due_at <= now) return std::optional(DueSlaTimer{*open, SlaTimer::kBreach});
  if (open->sla_warn_at && *open->sla_warn_at <= now && !open->sla_reminded_at) {
    return std::optional(DueSlaTimer{*open, SlaTimer::kReminder});
  }
  return std::optional<DueSlaTimer>();
}

Status SlaTimers::MarkFired(RoutingWrites& txn, DueSlaTimer& due, TimePoint now) const {
  AssignmentRecord& a = due.assignment;
  if (due.timer == SlaTimer::kBreach) a.sla_breached_at = now;
  if (!a.sla_reminded_at) a.sla_reminded_at = now;
  return txn.UpdateAssignmentSla(a);
}

}  // namespace tandem
