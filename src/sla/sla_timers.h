// SlaTimers: the follow-up SLA of an assignment — when the owner's first contact is due
// and when they are reminded, and which of those timers is due now.
//
// The deadline is the SLA's business time for the lead's priority, in the owner's
// working hours and time zone, counted from the first moment the contact gate lets the
// owner reach the lead (now, or later when a cooldown, quiet hours or the lead's out of
// office refuse it until then). The timers live on the assignment row (RoutingWrites).
// What a due timer does to the lead (the reminder, the breach's notice and reroute) is
// the lead's business (leads/).
//
// Thread-safety: immutable after construction.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "auth/user.h"
#include "contact/contact_policy.h"
#include "contact/gate.h"
#include "core/clock.h"
#include "core/status.h"
#include "routing/assignment.h"
#include "routing/routing_store.h"
#include "sla/sla_config.h"

namespace tandem {

enum class SlaTimer { kReminder, kBreach };

// A lead's open assignment whose timer is due, and which.
struct DueSlaTimer {
  AssignmentRecord assignment;
  SlaTimer timer = SlaTimer::kReminder;
};

class SlaTimers {
 public:
  SlaTimers(SlaConfig sla, ContactConfig contact)
      : sla_(std::move(sla)), contact_(std::move(contact)) {}

  // Sets the timers of `assignment` (not yet started) to `owner` of a lead of
  // `priority` ("hot", "mql", else other). `facts` are the gate's facts of the lead as
  // the new owner will meet them. Returns the moment the time counts from when it is
  // later than now.
  std::optional<TimePoint> Start(AssignmentRecord& assignment, std::string_view priority,
                                 ContactFacts facts, const UserRecord& owner, TimePoint now) const;

  // The timer of the lead's open assignment that is due at `now`: the breach once the
  // deadline passed, else the reminder once the warning point passed and it was not
  // sent. None when there is no open assignment, it had its first contact, or it
  // breached already.
  StatusOr<std::optional<DueSlaTimer>> Due(RoutingWrites& txn, int64_t lead_id,
                                           TimePoint now) const;
  // Records on the assignment that `due` fired at `now` (a breach counts as reminded
  // too), so it fires once.
  Status MarkFired(RoutingWrites& txn, DueSlaTimer& due, TimePoint now) const;

  const SlaConfig& config() const { return sla_; }

 private:
  const SlaConfig sla_;
  const ContactConfig contact_;
};

}  // namespace tandem
