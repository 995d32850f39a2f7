// Sources and events: the queries behind EventReads (written once: EventReadsOn), the
// insert used by group commit and the row reader shared by every query that returns
// events.
#pragma once

#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "store/sql/sql_db.h"
#include "store/store.h"

namespace tandem::sql {

inline constexpr std::string_view kSelectEvent =
    "SELECT id, source_id, message_id, type, event, user_id, anonymous_id, person_id, timestamp, "
    "received_at, payload FROM events";

// Reads a row selected with kSelectEvent.
StoredEvent ReadEvent(const Statement& row);

// Inserts events, skipping replays of a stored (source, messageId).
// REQUIRES: a write transaction is open on `db`.
StatusOr<AppendResult> InsertEvents(Db& db, std::span<const EventRecord> events);

StatusOr<std::vector<StoredEvent>> PersonEvents(Db& db, int64_t person_id, size_t limit);
// Steps the events past `after_id` with no person yet, in id order, up to `limit` of
// them, through `select` (a "SELECT … FROM events"), handing each row to `read`. It
// reads a window of ids at a time, so its plan never rests on an estimate of how many
// events have a person: PostgreSQL's flips with the backlog, and once made it sort the
// whole table for every batch.
Status ForEachUnprocessed(Db& db, std::string_view select, int64_t after_id, size_t limit,
                          const std::function<void(const Statement&)>& read);
StatusOr<int64_t> CountPersonEvents(Db& db, int64_t person_id);

// EventReads on the connection to read on (see sql_reads.h).
template <typename Base>
class EventReadsOn : public Base {
 public:
  StatusOr<std::vector<StoredEvent>> PersonEvents(int64_t person_id, size_t limit) override {
    return this->Reading([&](Db& db) { return sql::PersonEvents(db, person_id, limit); });
  }
  StatusOr<int64_t> CountPersonEvents(int64_t person_id) override {
    return this->Reading([&](Db& db) { return sql::CountPersonEvents(db, person_id); });
  }
};

}  // namespace tandem::sql
