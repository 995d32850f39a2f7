// The PostgreSQL schema: the SQLite migrations (store/sqlite/migrations.h), the same
// versions, rewritten to PostgreSQL's dialect, so one schema is written once.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "store/postgres/pg_connection.h"

namespace tandem::pg {

// A migration's SQL in PostgreSQL's dialect: 64-bit integers, identity keys where
// SQLite assigns rowids, double precision for REAL, no WITHOUT ROWID, and references
// left to Tandem's code as in SQLite.
std::string ToPostgresDialect(std::string_view sqlite_sql);

// Applies the pending migrations, each in its own transaction, under an advisory lock:
// instances starting together apply each migration once and wait for each other.
Status Migrate(Connection& conn);
// The newest applied version; 0 on an empty database.
StatusOr<int> SchemaVersion(Connection& conn);

}  // namespace tandem::pg
