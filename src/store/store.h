// Store: the one interface through which Tandem keeps its state.
//
// Two implementations share one schema and one set of versioned migrations: SQLite
// (embedded, the default) and PostgreSQL (shared by several Tandem instances).
// OpenStore picks one from a URL.
//
// Thread-safety: every method may be called from any thread. Writes are serialized by
// the implementation; a method that returns OK has made its change durable according
// to the store's durability setting.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "identity/identity.h"

namespace tandem {

struct Source {
  int64_t id = 0;
  std::string name;
  std::string write_key;  // write-only credential; public by nature (it ships in web pages)
  TimePoint created_at;
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

struct Person {
  int64_t id = 0;
  std::string user_id;
  std::string email;
  std::optional<int64_t> merged_into;
  TimePoint created_at;
  TimePoint updated_at;
  std::vector<Identity> identities;
};

// One write transaction of the event-processing pipeline. Destroying it without
// Commit() rolls back. While it lives it holds the store's write lock, so keep it short.
class ProcessingTxn {
 public:
  virtual ~ProcessingTxn() = default;
  // Up to `limit` events the pipeline has not processed yet, oldest commit first.
  virtual StatusOr<std::vector<StoredEvent>> NextUnprocessed(size_t limit) = 0;
  virtual StatusOr<std::vector<KnownIdentity>> LookUpIdentities(std::span<const Identity> ids) = 0;
  // Carries out a plan for `event`; returns the person the event now belongs to.
  virtual StatusOr<int64_t> ApplyStitch(const StoredEvent& event, const StitchPlan& plan,
                                        TimePoint now) = 0;
  // Records that every event up to and including `last` is processed.
  virtual Status MarkProcessed(const StoredEvent& last) = 0;
  virtual Status Commit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies pending migrations; a no-op when the schema is current.
  virtual Status Migrate() = 0;
  virtual StatusOr<int> SchemaVersion() = 0;

  virtual StatusOr<Source> CreateSource(std::string_view name, std::string_view write_key,
                                        TimePoint now) = 0;
  virtual StatusOr<std::optional<Source>> FindSourceByWriteKey(std::string_view write_key) = 0;
  virtual StatusOr<std::vector<Source>> ListSources() = 0;

  // Stores events in one transaction; replays of a stored (source, messageId) are
  // skipped and reported. Durable when it returns OK.
  virtual StatusOr<AppendResult> AppendEvents(std::span<const EventRecord> events) = 0;
  virtual StatusOr<std::optional<StoredEvent>> FindEvent(int64_t source_id,
                                                         std::string_view message_id) = 0;
  // A person's events, oldest first by timestamp.
  virtual StatusOr<std::vector<StoredEvent>> ListPersonEvents(int64_t person_id, size_t limit) = 0;
  virtual StatusOr<int64_t> CountEvents() = 0;
  // Events stored but not yet processed by the pipeline.
  virtual StatusOr<int64_t> CountUnprocessedEvents() = 0;

  // The person an identity points to, following merges to the surviving person.
  virtual StatusOr<std::optional<int64_t>> FindPersonByIdentity(const Identity& identity) = 0;
  virtual StatusOr<std::optional<Person>> GetPerson(int64_t person_id) = 0;

  virtual StatusOr<std::unique_ptr<ProcessingTxn>> BeginProcessing() = 0;
};

struct StoreOptions {
  bool migrate = true;           // apply pending migrations on open
  bool synchronous_full = true;  // SQLite: fsync every commit (power-loss safe)
};

// "sqlite:PATH" or "postgresql://user:pass@host:port/db". The parent directory of a
// SQLite file is created when missing.
StatusOr<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& options);

}  // namespace tandem
