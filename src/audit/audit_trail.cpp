#include "audit/audit_trail.h"

#include <fmt/format.h>

namespace tandem {

StatusOr<AuditEntry> AuditTrail::Record(const AuditActor& who, std::string_view action,
                                        std::string subject, std::string detail) const {
  AuditEntry draft;
  draft.at = clock_.Now();
  draft.user_id = who.user_id;
  draft.actor = who.name;
  draft.action = std::string(action);
  draft.subject = std::move(subject);
  draft.detail = detail.empty() ? "{}" : std::move(detail);
  return store_.AppendAudit(draft);
}

StatusOr<AuditVerification> VerifyAudit(AuditStore& store) {
  AuditVerification out;
  ChainVerifier chain;
  // A broken entry stops the walk; the store's own failures are told apart from it.
  Status broken;
  const auto visit = [&](const AuditEntry& e) -> Status {
    broken = chain.Next(e);
    return broken;
  };
  StatusOr<AuditScan> scan = store.ScanAudit(visit);
  out.entries = chain.entries();
  if (!broken.ok()) {
    out.problem = broken;
    return out;
  }
  if (!scan.ok()) return scan.status();
  out.head = scan->head;
  out.problem = chain.Finish(scan->head);
  if (out.problem.ok() && scan->beyond_head > 0) {
    out.problem = Unprocessable(
        "audit_chain_broken",
        fmt::format("{} entries lie past the chain's head (entry {}): the head was moved back",
                    scan->beyond_head, scan->head.seq));
  }
  return out;
}

}  // namespace tandem
