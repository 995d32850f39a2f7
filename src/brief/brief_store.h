// What the brief asks of the store beyond a lead's own reads: each lead's events as the
// brief reads them, for a whole page of leads at once.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "brief/brief_event.h"
#include "core/status.h"
#include "leads/lead.h"

namespace tandem {

// What the why-now line of a lead in a list reads: its person's events oldest first, as
// the pipeline kept them for the brief, and its log entries that can name a trigger
// (stage_changed, priority_changed), oldest first. A lead with more events than the
// page reads has none here and `more` set: its line needs the brief's full read.
struct WhyNowActivity {
  BriefEvents events;
  bool more = false;
  std::vector<LeadLogEntry> log;
};

class WhyNowReads {
 public:
  virtual ~WhyNowReads() = default;
  // The why-now activity of a page of leads, in one call for the page, with at most
  // `max_events` events a lead.
  virtual StatusOr<std::map<int64_t, WhyNowActivity>> ListWhyNowActivity(
      std::span<const int64_t> lead_ids, size_t max_events) = 0;
};

// What the pipeline keeps of each event it stitches, and the extraction of events
// stitched before the store kept them.
class BriefEventWrites {
 public:
  virtual ~BriefEventWrites() = default;
  // Keeps `event`, stitched to `person_id`. Keeping one already kept does nothing.
  virtual Status KeepBriefEvent(int64_t person_id, const BriefEvent& event) = 0;
};

}  // namespace tandem
