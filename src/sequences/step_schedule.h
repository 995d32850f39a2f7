// When a sequence's step is due: a wait in business days, counted in the lead's time
// zone, landing inside the sending window of a working day. Pure.
//
// "2 business days" after Thursday 15:00 in Berlin is Monday 15:00 in Berlin; a step
// that would land at 20:00 waits for 09:00 the next working day; a weekend is skipped.
#pragma once

#include "core/clock.h"
#include "core/zones.h"

namespace tandem {

// The local hours of a working day (Monday to Friday) in which steps are due.
struct SendWindow {
  int start_minute = 9 * 60;
  int end_minute = 17 * 60;
};

// The moment `wait_days` business days after `from`, moved to the window's start when it
// falls outside the window or on a weekend. `wait_days` 0 and `from` inside the window
// is `from` itself. REQUIRES: wait_days >= 0, window.start_minute < window.end_minute.
TimePoint StepDueAt(const TimeZone& zone, TimePoint from, int wait_days, const SendWindow& window);

}  // namespace tandem
