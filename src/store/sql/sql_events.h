// Event rows: the insert used by group commit and the row reader shared by
// every query that returns events.
#pragma once

#include <span>
#include <string_view>

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

}  // namespace tandem::sql
