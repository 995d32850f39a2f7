#include "audit/audit.h"

#include <fmt/format.h>
#include <sodium.h>

namespace tandem {
namespace {

void Absorb(crypto_generichash_state& state, std::string_view field) {
  const uint64_t size = field.size();
  unsigned char length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(size >> (8 * i));
  crypto_generichash_update(&state, length, sizeof length);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(field.data()),
                            field.size());
}

Status Broken(int64_t seq, std::string_view what) {
  return Unprocessable("audit_chain_broken", fmt::format("audit entry {}: {}", seq, what));
}

}  // namespace

std::string AuditHash(const AuditEntry& e) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  Absorb(state, "tandem audit v1");
  Absorb(state, std::to_string(e.seq));
  Absorb(state, e.prev_hash);
  Absorb(state, std::to_string(ToUnixMillis(e.at)));
  Absorb(state, e.user_id ? std::to_string(*e.user_id) : std::string());
  Absorb(state, e.actor);
  Absorb(state, e.action);
  Absorb(state, e.subject);
  Absorb(state, e.detail);
  unsigned char hash[32];
  crypto_generichash_final(&state, hash, sizeof hash);
  char hex[sizeof hash * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return hex;
}

AuditEntry Seal(AuditEntry draft, const AuditHead& head) {
  draft.seq = head.seq + 1;
  draft.prev_hash = head.hash;
  draft.hash = AuditHash(draft);
  return draft;
}

Status ChainVerifier::Next(const AuditEntry& e) {
  if (e.seq != last_.seq + 1) {
    return Broken(e.seq, e.seq > last_.seq + 1
                             ? fmt::format("entries {} to {} are missing", last_.seq + 1, e.seq - 1)
                             : fmt::format("out of place after entry {}", last_.seq));
  }
  if (e.prev_hash != last_.hash) return Broken(e.seq, "does not follow the entry before it");
  if (AuditHash(e) != e.hash) return Broken(e.seq, "was changed after it was written");
  last_ = AuditHead{e.seq, e.hash};
  return OkStatus();
}

Status ChainVerifier::Finish(const AuditHead& head) const {
  if (head.seq != last_.seq || head.hash != last_.hash) {
    return Broken(head.seq, fmt::format("the chain's head is entry {} but the log ends at entry {}",
                                        head.seq, last_.seq));
  }
  return OkStatus();
}

}  // namespace tandem
