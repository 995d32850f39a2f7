// What the audit trail needs of the store.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "core/status.h"

namespace tandem {

struct AuditQuery {
  int64_t after_seq = 0;  // entries after this place, oldest first
  size_t limit = 100;
  std::string action;   // "" any
  std::string subject;  // "" any
  std::optional<int64_t> user_id;
};

// What a scan of the whole chain saw: the head it walked to, and how many entries lie
// past the head as the scan ended (none, unless the head was moved back).
struct AuditScan {
  AuditHead head;
  int64_t beyond_head = 0;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  // Appends `draft` at the head of the chain, sealed there (Seal), in one transaction
  // with the head's move: two writers never take one place. Returns the entry as kept.
  virtual StatusOr<AuditEntry> AppendAudit(const AuditEntry& draft) = 0;
  virtual StatusOr<std::vector<AuditEntry>> ListAudit(const AuditQuery& query) = 0;
  // Every entry up to the head, in order, to `visit` (stops at its first error).
  virtual StatusOr<AuditScan> ScanAudit(const std::function<Status(const AuditEntry&)>& visit) = 0;
};

}  // namespace tandem
