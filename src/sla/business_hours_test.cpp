// Business time and time zones across daylight-saving changes, from tzdata.
#include "sla/business_hours.h"

#include <gtest/gtest.h>

#include "core/time_format.h"

namespace tandem {
namespace {

TimePoint T(const char* text) { return *ParseIsoTime(text); }

TEST(TimeZoneTest, LocalTimeFollowsDaylightSaving) {
  TimeZone ny = *TimeZone::Find("America/New_York");
  // 2026-03-08 02:00 EST → 03:00 EDT.
  EXPECT_EQ(ny.Local(T("2026-03-08T06:59:00Z")).minute, 1 * 60 + 59);  // 01:59 EST
  EXPECT_EQ(ny.Local(T("2026-03-08T07:00:00Z")).minute, 3 * 60);       // 03:00 EDT
  EXPECT_EQ(ny.Local(T("2026-03-08T12:00:00Z")).weekday, 0);           // a Sunday
  // A skipped wall time maps to the first moment after the gap.
  const int64_t day = ny.Local(T("2026-03-08T12:00:00Z")).day;
  EXPECT_EQ(ny.At(day, 2 * 60 + 30), T("2026-03-08T07:00:00Z"));
  // A repeated wall time (2026-11-01 01:30) maps to the first of the two.
  const int64_t fall = ny.Local(T("2026-11-01T12:00:00Z")).day;
  EXPECT_EQ(ny.At(fall, 1 * 60 + 30), T("2026-11-01T05:30:00Z"));
  EXPECT_FALSE(TimeZone::Find("Mars/Olympus_Mons").has_value());
  EXPECT_FALSE(TimeZone::Find("").has_value());
}

TEST(TimeZoneTest, CountriesHaveAMainZone) {
  EXPECT_EQ(CountryTimeZone("DE"), "Europe/Berlin");
  EXPECT_EQ(CountryTimeZone("germany"), "Europe/Berlin");
  EXPECT_EQ(CountryTimeZone("United States"), "America/New_York");
  EXPECT_EQ(CountryTimeZone("USA"), "America/New_York");
  EXPECT_EQ(CountryTimeZone("United Kingdom"), "Europe/London");
  EXPECT_EQ(CountryTimeZone("au"), "Australia/Sydney");
  EXPECT_EQ(CountryTimeZone("France"), "Europe/Paris");
  EXPECT_FALSE(CountryTimeZone("Atlantis").has_value());
  EXPECT_FALSE(CountryTimeZone("").has_value());
}

TEST(BusinessHoursTest, CountsOnlyWorkingTime) {
  TimeZone berlin = *TimeZone::Find("Europe/Berlin");
  WorkWeek week;  // 09:00-17:30, Monday to Friday
  // Friday 2026-11-20 17:20 CET: 10 minutes today, 5 on Monday.
  EXPECT_EQ(AddBusinessMinutes(berlin, week, T("2026-11-20T16:20:00Z"), 15),
            T("2026-11-23T08:05:00Z"));
  // Sunday evening: the clock starts Monday 09:00.
  EXPECT_EQ(AddBusinessMinutes(berlin, week, T("2026-11-22T19:00:00Z"), 15),
            T("2026-11-23T08:15:00Z"));
  // One business day = one working day's length: Monday 10:00 → Tuesday 10:00.
  EXPECT_EQ(AddBusinessMinutes(berlin, week, T("2026-11-23T09:00:00Z"), week.DayMinutes()),
            T("2026-11-24T09:00:00Z"));
  EXPECT_DOUBLE_EQ(
      BusinessMinutesBetween(berlin, week, T("2026-11-20T16:20:00Z"), T("2026-11-23T08:05:00Z")),
      15);
}

TEST(BusinessHoursTest, DeadlinesKeepLocalHoursAcrossDaylightSaving) {
  TimeZone ny = *TimeZone::Find("America/New_York");
  WorkWeek week;
  // Friday 2026-03-06 17:00 EST (22:00Z), one business day: 8.5 h → 30 min Friday,
  // 8 h Monday (now EDT, UTC-4) → Monday 17:00 EDT = 21:00Z, not 22:00Z.
  EXPECT_EQ(AddBusinessMinutes(ny, week, T("2026-03-06T22:00:00Z"), week.DayMinutes()),
            T("2026-03-09T21:00:00Z"));
  // Autumn: Friday 2026-10-30 17:00 EDT (21:00Z) → Monday 17:00 EST = 22:00Z.
  EXPECT_EQ(AddBusinessMinutes(ny, week, T("2026-10-30T21:00:00Z"), week.DayMinutes()),
            T("2026-11-02T22:00:00Z"));
  // Weekend days can be working days too.
  WorkWeek every_day;
  every_day.days.fill(true);
  EXPECT_EQ(AddBusinessMinutes(ny, every_day, T("2026-03-07T22:20:00Z"), 15),  // Sat 17:20 EST
            T("2026-03-08T13:05:00Z"));                                        // Sun 09:05 EDT
}

}  // namespace
}  // namespace tandem
