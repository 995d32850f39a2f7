// Recording to the audit trail and verifying it: what the edges (HTTP, the command line)
// and the server call when someone reads, exports, imports, erases or changes something.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "audit/audit_store.h"
#include "core/clock.h"

namespace tandem {

// Who did it: a signed-in user, the command line on the server, or the server itself.
struct AuditActor {
  std::optional<int64_t> user_id;
  std::string name;  // "user:3", "cli", "system"

  static AuditActor User(int64_t id) { return {id, "user:" + std::to_string(id)}; }
  static AuditActor Cli() { return {std::nullopt, "cli"}; }
  static AuditActor System() { return {std::nullopt, "system"}; }
};

class AuditTrail {
 public:
  AuditTrail(AuditStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Records that `who` did `action` (audit_action) to `subject` now; `detail` is a JSON
  // object's text ("{}" when empty). The entry as kept, or why it could not be.
  StatusOr<AuditEntry> Record(const AuditActor& who, std::string_view action, std::string subject,
                              std::string detail = "{}") const;

 private:
  AuditStore& store_;
  const Clock& clock_;
};

struct AuditVerification {
  int64_t entries = 0;  // entries that hold, from the first
  AuditHead head;       // the head kept apart
  Status problem;       // OK, or where the chain first breaks
};

// Walks the whole chain; an error only when the store cannot be read.
StatusOr<AuditVerification> VerifyAudit(AuditStore& store);

}  // namespace tandem
