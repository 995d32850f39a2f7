#include "sequences/step_schedule.h"

namespace tandem {
namespace {

bool IsWorkingDay(int weekday) { return weekday >= 1 && weekday <= 5; }

// 1970-01-01 was a Thursday.
int WeekdayOf(int64_t day) { return static_cast<int>(((day % 7) + 7 + 4) % 7); }

}  // namespace

TimePoint StepDueAt(const TimeZone& zone, TimePoint from, int wait_days, const SendWindow& window) {
  const LocalMoment local = zone.Local(from);
  int64_t day = local.day;
  int minute = local.minute;
  for (int left = wait_days; left > 0;) {
    ++day;
    if (IsWorkingDay(WeekdayOf(day))) --left;
  }
  bool moved = day != local.day;
  if (minute >= window.end_minute) {
    ++day;
    minute = window.start_minute;
    moved = true;
  } else if (minute < window.start_minute) {
    minute = window.start_minute;
    moved = true;
  }
  while (!IsWorkingDay(WeekdayOf(day))) {
    ++day;
    minute = window.start_minute;
    moved = true;
  }
  if (!moved) return from;
  // The same wall-clock minute (seconds dropped) when only the day moved.
  return zone.At(day, minute);
}

}  // namespace tandem
