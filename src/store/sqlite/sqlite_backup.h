// Copies of a live SQLite store, made with SQLite's online backup: the copy is the
// database as one read transaction saw it, while Tandem goes on writing (WAL lets the
// writer carry on; the copy never restarts because it is made in one step).
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace tandem::sqlite {

struct CopyFacts {
  int64_t pages = 0;
  int64_t bytes = 0;
  int64_t schema_version = 0;  // the copy's, from schema_migrations
};

// Copies the store at `from` (which must exist and be a Tandem store) into `to`, which
// must not exist yet. FailedPrecondition-like errors name the file and what is wrong.
StatusOr<CopyFacts> BackUpStore(const std::string& from, const std::string& to);

// Copies the backup `from` (a Tandem store of a version this build knows, whole) over the
// store at `to` (created when absent; replaced only with `replace`), in one transaction
// on `to`: a failure leaves `to` as it was. Tandem should not be serving `to` meanwhile.
StatusOr<CopyFacts> RestoreStore(const std::string& from, const std::string& to, bool replace,
                                 int64_t newest_version);

}  // namespace tandem::sqlite
