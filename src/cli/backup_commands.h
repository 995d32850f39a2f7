// `tandem backup FILE` and `tandem restore FILE`: copies of a live SQLite store, and
// putting one back. A PostgreSQL store is backed up with pg_dump (docs/operations.md).
#pragma once

#include <string>

#include "config/config.h"
#include "core/status.h"

namespace tandem::cli {

// Copies the configured SQLite store to `file` (which must not exist) while Tandem may be
// serving it; records the backup in the audit trail first, so the copy holds its entry.
Status BackUp(const Config& config, const std::string& file);
// Copies the backup `file` into the configured SQLite store: created when absent, replaced
// only with `replace` (stop Tandem first). The backup is checked whole before.
Status Restore(const Config& config, const std::string& file, bool replace);

}  // namespace tandem::cli
