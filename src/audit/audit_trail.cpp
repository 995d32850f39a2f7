#include "audit/audit_trail.h"

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
  StatusOr<AuditHead> head = store.ScanAudit(visit);
  out.entries = chain.entries();
  if (!broken.ok()) {
    out.problem = broken;
    return out;
  }
  if (!head.ok()) return head.status();
  out.head = *head;
  out.problem = chain.Finish(*head);
  return out;
}

}  // namespace tandem
