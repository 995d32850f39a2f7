// When a sequence's step is due: business days in the lead's zone, inside the window.
#include "sequences/step_schedule.h"

#include <gtest/gtest.h>

#include "core/time_format.h"

namespace tandem {
namespace {

TimePoint T(const char* text) { return *ParseIsoTime(text); }

const SendWindow kWindow;  // 09:00–17:00

TEST(StepScheduleTest, NoWaitInsideTheWindowIsNow) {
  const TimeZone berlin = *TimeZone::Find("Europe/Berlin");
  const TimePoint t = T("2026-12-03T10:15:42Z");  // Thursday 11:15:42 in Berlin
  EXPECT_EQ(StepDueAt(berlin, t, 0, kWindow), t);
}

TEST(StepScheduleTest, BusinessDaysSkipTheWeekend) {
  const TimeZone berlin = *TimeZone::Find("Europe/Berlin");
  // Thursday 15:00 Berlin + 2 business days = Monday 15:00 Berlin.
  EXPECT_EQ(StepDueAt(berlin, T("2026-12-03T14:00:00Z"), 2, kWindow), T("2026-12-07T14:00:00Z"));
  // + 1 = Friday; + 5 = the next Thursday.
  EXPECT_EQ(StepDueAt(berlin, T("2026-12-03T14:00:00Z"), 1, kWindow), T("2026-12-04T14:00:00Z"));
  EXPECT_EQ(StepDueAt(berlin, T("2026-12-03T14:00:00Z"), 5, kWindow), T("2026-12-10T14:00:00Z"));
}

TEST(StepScheduleTest, OutsideTheWindowWaitsForTheNextWorkingMorning) {
  const TimeZone ny = *TimeZone::Find("America/New_York");
  // Friday 20:00 in New York (Saturday 01:00 UTC): Monday 09:00 New York.
  EXPECT_EQ(StepDueAt(ny, T("2026-12-05T01:00:00Z"), 0, kWindow), T("2026-12-07T14:00:00Z"));
  // Tuesday 06:30 in New York: 09:00 the same day.
  EXPECT_EQ(StepDueAt(ny, T("2026-12-08T11:30:00Z"), 0, kWindow), T("2026-12-08T14:00:00Z"));
  // Saturday noon with no wait: Monday morning.
  EXPECT_EQ(StepDueAt(ny, T("2026-12-05T17:00:00Z"), 0, kWindow), T("2026-12-07T14:00:00Z"));
  // Saturday noon + 1 business day: Monday noon (the first business day after).
  EXPECT_EQ(StepDueAt(ny, T("2026-12-05T17:00:00Z"), 1, kWindow), T("2026-12-07T17:00:00Z"));
}

TEST(StepScheduleTest, TheWallClockHoldsAcrossADaylightSavingChange) {
  const TimeZone berlin = *TimeZone::Find("Europe/Berlin");
  // Friday 2027-03-26 10:00 CET (09:00 UTC) + 1 business day = Monday 10:00 CEST (08:00 UTC).
  EXPECT_EQ(StepDueAt(berlin, T("2027-03-26T09:00:00Z"), 1, kWindow), T("2027-03-29T08:00:00Z"));
}

TEST(StepScheduleTest, TheSameMomentInAnotherZoneIsDueOnItsOwnClock) {
  const TimeZone tokyo = *TimeZone::Find("Asia/Tokyo");
  const TimeZone utc = TimeZone::Utc();
  const TimePoint t = T("2026-12-03T10:00:00Z");  // 19:00 in Tokyo, 10:00 UTC
  EXPECT_EQ(StepDueAt(utc, t, 0, kWindow), t);
  EXPECT_EQ(StepDueAt(tokyo, t, 0, kWindow), T("2026-12-04T00:00:00Z"));  // Friday 09:00 Tokyo
}

}  // namespace
}  // namespace tandem
