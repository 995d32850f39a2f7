// `tandem audit list|verify`, and what the other commands record to the audit trail.
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"
#include "core/status.h"
#include "store/store.h"

namespace tandem::cli {

// The command line on this machine did `action` to `subject`: recorded, or why not.
Status AuditCli(Store& store, std::string_view action, std::string subject,
                std::string detail = "{}");

struct AuditListArgs {
  int64_t after = 0;
  int64_t limit = 100;
  std::string action, subject;
};
// Prints entries oldest first, one per line: seq, time, actor, action, subject, detail.
Status ListAuditTrail(const Config& config, const AuditListArgs& args);
// Walks the whole chain: prints how many entries hold and the head's hash; an error
// naming where it first breaks when it does.
Status VerifyAuditTrail(const Config& config);

}  // namespace tandem::cli
