// Users, passwords, browser sessions and API tokens: the query behind UserReads (written
// once: UserReadsOn) and the rest of AuthStore. Writes REQUIRE a write transaction open
// on the connection.
#pragma once

#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "store/sql/sql_db.h"
#include "store/store.h"

namespace tandem::sql {

extern const char* const kUserColumns;
// Reads a row selected with kUserColumns.
StatusOr<UserRecord> ReadUser(const Statement& row);

StatusOr<std::vector<UserRecord>> ListUsers(Db& db);
StatusOr<std::optional<UserRecord>> GetUser(Db& db, int64_t user_id);
// `column` is "email", or "token" for the user of an API token hash.
StatusOr<std::optional<UserRecord>> FindUserBy(Db& db, std::string_view column,
                                               std::string_view value);

StatusOr<std::optional<Credentials>> FindCredentials(Db& db, std::string_view email);
Status SetPassword(Db& db, int64_t user_id, std::string_view hash);
Status EndSessions(Db& db, int64_t user_id);
Status CreateSession(Db& db, const SessionRecord& session);
StatusOr<std::optional<std::pair<UserRecord, SessionRecord>>> FindSession(
    Db& db, std::string_view token_hash, TimePoint now);
Status DeleteSession(Db& db, std::string_view token_hash);
Status CreatePasswordLink(Db& db, const PasswordLink& link);
StatusOr<std::optional<std::pair<UserRecord, PasswordLink>>> FindPasswordLink(
    Db& db, std::string_view token_hash, TimePoint now);

// The new token's id.
StatusOr<int64_t> CreateApiToken(Db& db, const ApiTokenRecord& token, std::string_view token_hash);
StatusOr<std::optional<std::pair<UserRecord, ApiTokenRecord>>> FindApiToken(
    Db& db, std::string_view token_hash, TimePoint now);
StatusOr<std::optional<ApiTokenRecord>> GetApiToken(Db& db, int64_t token_id);
StatusOr<std::vector<ApiTokenRecord>> ListApiTokens(Db& db, std::optional<int64_t> user_id);
// Deletes the tokens whose `column` ("id" or "user_id") is `value`; returns how many.
StatusOr<int64_t> DeleteApiTokens(Db& db, std::string_view column, int64_t value);
Status NoteApiTokenUse(Db& db, int64_t token_id, TimePoint now,
                       std::chrono::milliseconds granularity);

// UserReads on the connection to read on (see sql_reads.h).
template <typename Base>
class UserReadsOn : public Base {
 public:
  StatusOr<std::vector<UserRecord>> ListUsers() override {
    return this->Reading([](Db& db) { return sql::ListUsers(db); });
  }
};

}  // namespace tandem::sql
