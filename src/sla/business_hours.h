// Business time: deadlines counted only in someone's working hours, in their time zone.
//
// "15 minutes" at 17:25 on a Friday for a rep working 09:00–17:30 Monday to Friday ends
// at 09:10 on Monday, local time — across a daylight-saving change too, since each
// day's window is placed on that day's wall clock.
#pragma once

#include <array>
#include <cstdint>

#include "core/clock.h"
#include "core/zones.h"

namespace tandem {

struct WorkWeek {
  int start_minute = 9 * 60;  // local, minutes after midnight
  int end_minute = 17 * 60 + 30;
  std::array<bool, 7> days = {false, true, true, true, true, true, false};  // Sunday first

  int64_t DayMinutes() const { return end_minute - start_minute; }
};

// The moment `minutes` of business time after `start` have passed.
// REQUIRES: `week` has at least one working day and start < end.
TimePoint AddBusinessMinutes(const TimeZone& zone, const WorkWeek& week, TimePoint start,
                             double minutes);

// Business minutes between `from` and `to` (0 when to <= from).
double BusinessMinutesBetween(const TimeZone& zone, const WorkWeek& week, TimePoint from,
                              TimePoint to);

}  // namespace tandem
