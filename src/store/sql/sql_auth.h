// Passwords, the sign-in lock-out and browser sessions. Writes REQUIRE a
// write transaction open on the connection.
#pragma once

#include <optional>
#include <utility>

#include "store/sql/sql_db.h"
#include "store/store.h"

namespace tandem::sql {

StatusOr<std::optional<Credentials>> FindCredentials(Db& db, std::string_view email);
Status SetPassword(Db& db, int64_t user_id, std::string_view hash);
StatusOr<int> RecordLoginFailure(Db& db, int64_t user_id, int max_failures, TimePoint lock_until);
Status RecordLoginSuccess(Db& db, int64_t user_id);
Status CreateSession(Db& db, const SessionRecord& session);
StatusOr<std::optional<std::pair<UserRecord, SessionRecord>>> FindSession(
    Db& db, std::string_view token_hash, TimePoint now);
Status DeleteSession(Db& db, std::string_view token_hash);

}  // namespace tandem::sql
