// What signing in, users and API tokens ask of the store. Throttling wrong passwords
// is not the store's business (auth/signin_throttle.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/user.h"
#include "core/clock.h"
#include "core/status.h"

namespace tandem {

// Read inside a lead's transaction (routing picks among them) or outside any.
class UserReads {
 public:
  virtual ~UserReads() = default;
  virtual StatusOr<std::vector<UserRecord>> ListUsers() = 0;
};

class AuthStore {
 public:
  virtual ~AuthStore() = default;

  // Creating a user creates its team.
  virtual StatusOr<UserRecord> CreateUser(const UserRecord& user) = 0;
  virtual Status UpdateUser(const UserRecord& user) = 0;
  virtual StatusOr<std::optional<UserRecord>> GetUser(int64_t user_id) = 0;
  virtual StatusOr<std::optional<UserRecord>> FindUserByEmail(std::string_view email) = 0;
  virtual StatusOr<std::vector<std::string>> ListTeams() = 0;

  // API tokens, stored as hashes. CreateApiToken fills in the new token's id.
  virtual StatusOr<ApiTokenRecord> CreateApiToken(const ApiTokenRecord& token,
                                                  std::string_view token_hash) = 0;
  // A token with no name and no expiry.
  Status AddApiToken(int64_t user_id, std::string_view token_hash, TimePoint now) {
    ApiTokenRecord token;
    token.user_id = user_id;
    token.created_at = now;
    return CreateApiToken(token, token_hash).status();
  }
  // The token with this hash unless it expired at or before `now`, and its user.
  virtual StatusOr<std::optional<std::pair<UserRecord, ApiTokenRecord>>> FindApiToken(
      std::string_view token_hash, TimePoint now) = 0;
  virtual StatusOr<std::optional<ApiTokenRecord>> GetApiToken(int64_t token_id) = 0;
  // One user's tokens, or everyone's when `user_id` is empty, expired ones included, by id.
  virtual StatusOr<std::vector<ApiTokenRecord>> ListApiTokens(std::optional<int64_t> user_id) = 0;
  // Deletes the token; false when there is none with that id.
  virtual StatusOr<bool> RevokeApiToken(int64_t token_id) = 0;
  // Deletes every token of the user; returns how many there were.
  virtual StatusOr<int64_t> RevokeApiTokens(int64_t user_id) = 0;
  // Records a use of the token at `now`, unless one within `granularity` before `now` is
  // already recorded: the database is written at most once per granularity per token.
  virtual Status NoteApiTokenUse(int64_t token_id, TimePoint now,
                                 std::chrono::milliseconds granularity) = 0;

  // Signing in. SetPassword ends the user's sessions.
  virtual StatusOr<std::optional<Credentials>> FindCredentials(std::string_view email) = 0;
  virtual Status SetPassword(int64_t user_id, std::string_view password_hash) = 0;
  virtual Status CreateSession(const SessionRecord& session) = 0;
  // The unexpired session with this token hash, and its user.
  virtual StatusOr<std::optional<std::pair<UserRecord, SessionRecord>>> FindSession(
      std::string_view token_hash, TimePoint now) = 0;
  virtual Status DeleteSession(std::string_view token_hash) = 0;
  // Ends every session of the user (deactivation, a new password).
  virtual Status EndSessions(int64_t user_id) = 0;

  // Stores a new password link; the user's earlier unused links end with it.
  virtual Status CreatePasswordLink(const PasswordLink& link) = 0;
  // The unused link with this hash that has not expired at `now`, and its user.
  virtual StatusOr<std::optional<std::pair<UserRecord, PasswordLink>>> FindPasswordLink(
      std::string_view token_hash, TimePoint now) = 0;
  // Uses the link: marks it used, sets the password and ends the user's sessions, in one
  // transaction. The user, or nothing (nothing changed) when the link is unknown, used,
  // expired at `now`, or its user is deactivated.
  virtual StatusOr<std::optional<UserRecord>> UsePasswordLink(std::string_view token_hash,
                                                              std::string_view password_hash,
                                                              TimePoint now) = 0;
};

}  // namespace tandem
