#include "sla/business_hours.h"

#include <algorithm>

namespace tandem {
namespace {

using Millis = std::chrono::milliseconds;
constexpr int64_t kMaxDays = 3660;  // a deadline ten years of holidays away is a bug

}  // namespace

TimePoint AddBusinessMinutes(const TimeZone& zone, const WorkWeek& week, TimePoint start,
                             double minutes) {
  auto remaining = Millis(static_cast<int64_t>(minutes * 60000.0 + 0.5));
  TimePoint cursor = start;
  const LocalMoment local = zone.Local(start);
  for (int64_t day = local.day; day < local.day + kMaxDays; ++day) {
    if (!week.days[static_cast<size_t>(((day % 7) + 11) % 7)])
      continue;  // 1970-01-01 was a Thursday
    TimePoint open = zone.At(day, week.start_minute);
    TimePoint close = zone.At(day, week.end_minute);
    TimePoint from = std::max(open, cursor);
    if (from >= close) continue;
    if (remaining <= close - from) return from + remaining;
    remaining -= close - from;
    cursor = close;
  }
  return cursor + remaining;
}

double BusinessMinutesBetween(const TimeZone& zone, const WorkWeek& week, TimePoint from,
                              TimePoint to) {
  if (to <= from) return 0;
  Millis total{0};
  const int64_t first = zone.Local(from).day;
  const int64_t last = zone.Local(to).day;
  for (int64_t day = first; day <= last && day < first + kMaxDays; ++day) {
    if (!week.days[static_cast<size_t>(((day % 7) + 11) % 7)]) continue;
    TimePoint open = std::max(zone.At(day, week.start_minute), from);
    TimePoint close = std::min(zone.At(day, week.end_minute), to);
    if (open < close) total += close - open;
  }
  return static_cast<double>(total.count()) / 60000.0;
}

}  // namespace tandem
