// Passwords, the sign-in lock-out and browser sessions in SQLite. Writes REQUIRE a
// write transaction open on the connection.
#pragma once

#include <optional>
#include <utility>

#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace tandem::sqlite {

StatusOr<std::optional<Credentials>> FindCredentials(Database& db, std::string_view email);
Status SetPassword(Database& db, int64_t user_id, std::string_view hash);
StatusOr<int> RecordLoginFailure(Database& db, int64_t user_id, int max_failures,
                                 TimePoint lock_until);
Status RecordLoginSuccess(Database& db, int64_t user_id);
Status CreateSession(Database& db, const SessionRecord& session);
StatusOr<std::optional<std::pair<UserRecord, SessionRecord>>> FindSession(
    Database& db, std::string_view token_hash, TimePoint now);
Status DeleteSession(Database& db, std::string_view token_hash);

}  // namespace tandem::sqlite
