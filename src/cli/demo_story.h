// The demo workspace's history, played as it would have happened: the website's visits
// over six weeks, each processed when it arrived (so a lead's MQL, assignment and SLA
// deadline carry that moment), the SLA timers firing as their deadlines pass, and the
// reps working their leads in office hours — some called within minutes, some days late
// (their SLA breached), some never (the leak report's); some accepted, qualified and won
// with amounts, some lost, some rejected with reasons, some recycled and come back on
// their revisit date. The same visits and fates every run; as office hours and weekends
// fall where the calendar puts them, who owns what at the end depends on when it runs.
#pragma once

#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "ingest/event.h"
#include "leads/lead_engine.h"
#include "store/store.h"

namespace tandem::cli {

// What the story did, for the demo's summary.
struct DemoStoryFacts {
  int contacted_fast = 0;   // first contact by the first owner, within the SLA
  int contacted_late = 0;   // after a missed deadline, by the owner it went to next
  int never_contacted = 0;  // owned, never reached
  int won = 0, lost = 0, rejected = 0, recycled = 0, open_deals = 0;
};

// Stores `records` (any order; their timestamps are the history) a slice of time at a
// time and processes each slice at its end with `engine`, from the first record to
// `now`, with the reps' follow-ups in between.
StatusOr<DemoStoryFacts> PlayDemoStory(Store& store, const LeadEngine& engine,
                                       std::vector<EventRecord> records, TimePoint now);

}  // namespace tandem::cli
