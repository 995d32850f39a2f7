// The few fields of an event the handoff brief reads, pulled out of the stored Segment
// message with simdjson (a lead may have thousands of events; building a JSON DOM for
// each would cost more than the whole brief is allowed to).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/store.h"

namespace tandem {

struct BriefEvent {
  int64_t id = 0;
  TimePoint at;
  std::string type;   // identify, track, page, screen, group, alias
  std::string name;   // track event or page name
  std::string path;   // properties.path, else context.page.path
  std::string title;  // properties.title, else context.page.title
  std::string asset_id;
  std::string form;          // properties.form or form_id
  std::string subject;       // properties.subject or email_subject (email events)
  std::string utm_campaign;  // context.campaign.name
  bool known = false;        // the person was identified when it happened (userId or email)
};

// Extracts, in the order given. Payloads that do not parse keep the stored columns.
std::vector<BriefEvent> ExtractBriefEvents(std::span<const StoredEvent> events);

}  // namespace tandem
