// Outbox messages and their deliveries. Writes REQUIRE a write transaction open on the
// connection.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "store/sql/sql_db.h"
#include "store/store.h"

namespace tandem::sql {

// Writes the message and one pending delivery per endpoint.
Status Enqueue(Db& db, const OutboxMessage& message, std::span<const std::string> endpoints,
               TimePoint now);
StatusOr<std::vector<OutboxMessage>> ListOutbox(Db& db, int64_t after_id, size_t limit);

}  // namespace tandem::sql
