// What ingest asks of the store: sources, storing events, and reading them back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "ingest/event.h"

namespace tandem {

// The most events read for one person's history (rescoring, the brief).
inline constexpr size_t kPersonHistoryLimit = 100000;

// A person's events, read inside a lead's transaction or outside any.
class EventReads {
 public:
  virtual ~EventReads() = default;
  // Up to `limit` of the person's events, oldest first by timestamp.
  virtual StatusOr<std::vector<StoredEvent>> PersonEvents(int64_t person_id, size_t limit) = 0;
  virtual StatusOr<int64_t> CountPersonEvents(int64_t person_id) = 0;
};

// What the pipeline reads of an event ahead of it: enough to tell whose it is and
// whether it may change who owns a lead, without its payload.
struct EventKey {
  int64_t id = 0;
  std::string type;
  std::string event;  // track's event name, page/screen name; may be empty
  std::string user_id;
  std::string anonymous_id;
  // The event's JSON when it mentions "email" (it may carry an address) or is an alias
  // (its previous id); else empty.
  std::string payload;
};

class EventStore {
 public:
  virtual ~EventStore() = default;

  virtual StatusOr<Source> CreateSource(std::string_view name, std::string_view write_key,
                                        TimePoint now) = 0;
  virtual StatusOr<std::optional<Source>> FindSourceByWriteKey(std::string_view write_key) = 0;
  virtual StatusOr<std::vector<Source>> ListSources() = 0;
  // Notes that the source's events were stored at `at` (a later time than it holds).
  virtual Status NoteSourceActivity(int64_t source_id, TimePoint at) = 0;

  // Stores events in one transaction; replays of a stored (source, messageId) are
  // skipped and reported. Durable when it returns OK.
  virtual StatusOr<AppendResult> AppendEvents(std::span<const EventRecord> events) = 0;
  virtual StatusOr<std::optional<StoredEvent>> FindEvent(int64_t source_id,
                                                         std::string_view message_id) = 0;
  virtual StatusOr<int64_t> CountEvents() = 0;
  // Events stored but not yet processed by the pipeline.
  virtual StatusOr<int64_t> CountUnprocessedEvents() = 0;
  // The keys of up to `limit` unprocessed events after `after_id`, by id.
  virtual StatusOr<std::vector<EventKey>> UnprocessedEventKeys(int64_t after_id, size_t limit) = 0;
};

}  // namespace tandem
