// The PostgreSQL schema: the migration files of store/schema/postgres/, embedded at
// build time (store/schema/schema.h), the same versions as SQLite's in PostgreSQL's dialect.
#pragma once

#include "core/status.h"
#include "store/postgres/pg_connection.h"

namespace tandem::pg {

// Applies the pending migrations, each in its own transaction, under an advisory lock:
// instances starting together apply each migration once and wait for each other.
Status Migrate(Connection& conn);
// The newest applied version; 0 on an empty database.
StatusOr<int> SchemaVersion(Connection& conn);

}  // namespace tandem::pg
