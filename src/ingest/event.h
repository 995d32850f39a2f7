// Events as Tandem stores them: the sources that send them, an event ready to be
// stored, a stored one, and what storing a batch did.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace tandem {

struct Source {
  int64_t id = 0;
  std::string name;
  std::string write_key;  // write-only credential; public by nature (it ships in web pages)
  TimePoint created_at;
  // When an event of the source was last stored (noted at most once a minute).
  std::optional<TimePoint> last_event_at;
};

// An event ready to be stored: validated and normalized by the ingest path.
struct EventRecord {
  int64_t source_id = 0;
  std::string message_id;  // unique per source; a replay is stored once
  std::string type;        // identify, track, page, screen, group, alias
  std::string event;       // track's event name, page/screen name; may be empty
  std::string user_id;
  std::string anonymous_id;
  TimePoint timestamp;    // when it happened, corrected for the client's clock skew
  TimePoint received_at;  // when Tandem received it
  std::string payload;    // the normalized Segment message as JSON
};

struct StoredEvent {
  int64_t id = 0;  // increases in commit order
  EventRecord record;
  std::optional<int64_t> person_id;  // set once identity stitching processed the event
};

struct AppendResult {
  // inserted[i] is false when events[i] was a replay of a stored messageId.
  std::vector<bool> inserted;
  size_t stored = 0;
  size_t duplicates = 0;
};

}  // namespace tandem
