#include "cli/audit_commands.h"

#include <fmt/format.h>

#include <iostream>

#include "audit/audit_trail.h"
#include "cli/commands.h"
#include "core/time_format.h"

namespace tandem::cli {

Status AuditCli(Store& store, std::string_view action, std::string subject, std::string detail) {
  const SystemClock clock;
  return AuditTrail(store, clock)
      .Record(AuditActor::Cli(), action, std::move(subject), std::move(detail))
      .status();
}

Status ListAuditTrail(const Config& config, const AuditListArgs& args) {
  if (args.after < 0) return InvalidArgument("invalid_after", "--after must be 0 or more");
  if (args.limit < 1 || args.limit > 100000) {
    return InvalidArgument("invalid_limit", "--limit must be from 1 to 100000");
  }
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenExistingStore(config));
  AuditQuery query;
  query.after_seq = args.after;
  query.limit = static_cast<size_t>(args.limit);
  query.action = args.action;
  query.subject = args.subject;
  TANDEM_ASSIGN_OR_RETURN(auto entries, store->ListAudit(query));
  if (entries.empty()) std::cout << "no audit entries\n";
  for (const AuditEntry& e : entries) {
    std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", e.seq, FormatIsoTime(e.at), e.actor,
                             e.action, e.subject.empty() ? "-" : e.subject, e.detail);
  }
  return OkStatus();
}

Status VerifyAuditTrail(const Config& config) {
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenExistingStore(config));
  TANDEM_ASSIGN_OR_RETURN(AuditVerification verified, VerifyAudit(*store));
  if (!verified.problem.ok()) {
    return Unprocessable(
        "audit_chain_broken",
        fmt::format("the audit trail does not hold: {} ({} entries before it hold)",
                    verified.problem.message(), verified.entries));
  }
  std::cout << fmt::format("the audit trail holds: {} entries; head {}\n", verified.entries,
                           verified.head.hash.empty() ? "-" : verified.head.hash);
  return OkStatus();
}

}  // namespace tandem::cli
