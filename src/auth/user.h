// Users of Tandem: who they are, how they sign in, and their API tokens.
// JSON-valued fields hold JSON text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "auth/role.h"
#include "core/clock.h"

namespace tandem {

struct UserRecord {
  int64_t id = 0;
  std::string email;
  std::string name;
  Role role = Role::kViewer;
  std::string team;  // may be empty
  std::string timezone = "UTC";
  int capacity = 50;         // open leads the user can work at once
  int hours_start = 9 * 60;  // working hours, minutes after local midnight
  int hours_end = 17 * 60 + 30;
  bool active = true;
  std::optional<TimePoint> ooo_from;  // out of office during [from, until)
  std::optional<TimePoint> ooo_until;
  // How the user hears of new leads, reminders and breaches: "email" or "none".
  std::string notify_by = "email";
  TimePoint created_at;
  TimePoint updated_at;

  bool OutOfOfficeAt(TimePoint t) const {
    return ooo_from && ooo_until && *ooo_from <= t && t < *ooo_until;
  }
};

// What signing in needs of a user.
struct Credentials {
  UserRecord user;
  std::string password_hash;  // argon2id; "" when no password was ever set
};

// A signed-in browser. Only the hash of its token is stored.
struct SessionRecord {
  std::string token_hash;
  int64_t user_id = 0;
  std::string csrf_token;  // sent back in X-CSRF-Token with every change
  TimePoint created_at;
  TimePoint expires_at;
};

// An API token as it is listed. Its secret is never stored, only its hash.
struct ApiTokenRecord {
  int64_t id = 0;  // shown as tok_<id>
  int64_t user_id = 0;
  std::string name;  // what it is for ("zapier"); may be empty
  TimePoint created_at;
  std::optional<TimePoint> expires_at;    // none: until revoked
  std::optional<TimePoint> last_used_at;  // coarse: recorded at most once a minute
};

// A link that sets a user's password once: the invite of a new user, or a reset. Only
// the hash of its secret is stored (auth/password_links.h makes them).
struct PasswordLink {
  std::string token_hash;
  int64_t user_id = 0;
  std::string purpose;                // "invite" or "reset"
  std::optional<int64_t> created_by;  // none: from the command line
  TimePoint created_at;
  TimePoint expires_at;
  std::optional<TimePoint> used_at;
};

}  // namespace tandem
