// The audit trail: who read a lead's brief, exported, imported, erased, overrode the
// contact gate, or changed a user, a token or the rules. Entries are only ever added.
// Each carries its place in the chain (1, 2, 3 … with no gap) and the hash of the entry
// before it, and its own hash covers both and every field: an entry edited, removed or
// put in another place shows when the chain is verified (VerifyChain), and the chain's
// head hash, kept apart, vouches for every entry before it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace tandem {

// What was done (AuditEntry::action).
namespace audit_action {
inline constexpr std::string_view kBriefRead = "brief.read";
inline constexpr std::string_view kGateOverride = "gate.override";
inline constexpr std::string_view kUserAdded = "user.added";
inline constexpr std::string_view kUserChanged = "user.changed";
inline constexpr std::string_view kTokenCreated = "token.created";
inline constexpr std::string_view kTokenRevoked = "token.revoked";
inline constexpr std::string_view kRulesChanged = "rules.changed";
inline constexpr std::string_view kLeadAdded = "lead.added";
inline constexpr std::string_view kSourceAdded = "source.added";
inline constexpr std::string_view kExported = "export";
inline constexpr std::string_view kImported = "import";
inline constexpr std::string_view kErased = "person.erased";
// An erased person's address came back (a form, an identify, an import): the server
// notes it once per source, with the new person's lead id.
inline constexpr std::string_view kErasedReturned = "person.returned";
inline constexpr std::string_view kBackup = "backup";
inline constexpr std::string_view kRestore = "restore";
}  // namespace audit_action

struct AuditEntry {
  int64_t seq = 0;  // the entry's place: 1, 2, 3 …
  TimePoint at;
  std::optional<int64_t> user_id;  // the signed-in user who did it, if one did
  std::string actor;               // "user:3", "cli", "system"
  std::string action;              // audit_action
  std::string subject;             // what it was done to: "ld_5", "usr_3", "tok_2", or ""
  std::string detail;              // a JSON object: the facts, never a lead's personal data
  std::string prev_hash;           // the entry before's hash ("" for the first)
  std::string hash;                // of this entry (AuditHash)
};

// The head of the chain: the last entry's place and hash (0 and "" when empty).
struct AuditHead {
  int64_t seq = 0;
  std::string hash;
};

// BLAKE2b-256 (hex) of `e`'s place, the hash before it and every field, each prefixed by
// its length so no two entries serialize alike.
std::string AuditHash(const AuditEntry& e);

// `draft` made the entry after `head`: its place, the hash before it, and its own hash.
AuditEntry Seal(AuditEntry draft, const AuditHead& head);

// Walks a chain entry by entry, in order, and says where it first breaks.
class ChainVerifier {
 public:
  // OK while the chain holds; else Unprocessable "audit_chain_broken" naming
  // the entry and what is wrong with it.
  Status Next(const AuditEntry& e);
  // After the last entry: the head kept apart must be the last entry's.
  Status Finish(const AuditHead& head) const;
  int64_t entries() const { return last_.seq; }
  const AuditHead& last() const { return last_; }

 private:
  AuditHead last_;
};

}  // namespace tandem
