// The audit chain: each entry sealed after the one before; an edit, a gap, a swap or a
// removed tail is found, and where.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "audit/audit.h"

namespace tandem {
namespace {

std::vector<AuditEntry> Chain(int n) {
  std::vector<AuditEntry> out;
  AuditHead head;
  for (int i = 0; i < n; ++i) {
    AuditEntry draft;
    draft.at = FromUnixMillis(1'700'000'000'000 + i * 1000);
    draft.user_id = i % 2 == 0 ? std::optional<int64_t>(3) : std::nullopt;
    draft.actor = i % 2 == 0 ? "user:3" : "cli";
    draft.action = std::string(audit_action::kBriefRead);
    draft.subject = "ld_" + std::to_string(i);
    draft.detail = "{}";
    out.push_back(Seal(draft, head));
    head = {out.back().seq, out.back().hash};
  }
  return out;
}

Status Verify(const std::vector<AuditEntry>& entries, const AuditHead& head) {
  ChainVerifier chain;
  for (const AuditEntry& e : entries) TANDEM_RETURN_IF_ERROR(chain.Next(e));
  return chain.Finish(head);
}

AuditHead HeadOf(const std::vector<AuditEntry>& entries) {
  return entries.empty() ? AuditHead{} : AuditHead{entries.back().seq, entries.back().hash};
}

TEST(AuditChainTest, SealedEntriesFollowEachOther) {
  const auto entries = Chain(5);
  EXPECT_EQ(entries[0].seq, 1);
  EXPECT_EQ(entries[0].prev_hash, "");
  EXPECT_EQ(entries[4].prev_hash, entries[3].hash);
  EXPECT_EQ(entries[0].hash.size(), 64u);
  EXPECT_TRUE(Verify(entries, HeadOf(entries)).ok());
  EXPECT_TRUE(Verify({}, AuditHead{}).ok());
}

TEST(AuditChainTest, AnyChangedFieldIsFoundAtItsEntry) {
  const auto entries = Chain(4);
  const std::vector<std::function<void(AuditEntry&)>> edits = {
      [](AuditEntry& e) { e.at += std::chrono::milliseconds(1); },
      [](AuditEntry& e) { e.user_id = 4; },
      [](AuditEntry& e) { e.actor = "user:4"; },
      [](AuditEntry& e) { e.action = "export"; },
      [](AuditEntry& e) { e.subject = "ld_99"; },
      [](AuditEntry& e) { e.detail = "{\"rows\":1}"; },
  };
  for (const auto& edit : edits) {
    auto changed = entries;
    edit(changed[2]);
    const Status st = Verify(changed, HeadOf(changed));
    EXPECT_EQ(st.error_code(), "audit_chain_broken");
    EXPECT_NE(st.message().find("audit entry 3: was changed"), std::string::npos) << st.message();
  }
}

TEST(AuditChainTest, AFieldMovedToItsNeighbourChangesTheHash) {
  AuditEntry a;
  a.actor = "ab";
  a.action = "c";
  AuditEntry b = a;
  b.actor = "a";
  b.action = "bc";
  EXPECT_NE(AuditHash(a), AuditHash(b));
}

TEST(AuditChainTest, AGapASwapAndARemovedTailAreFound) {
  const auto entries = Chain(5);
  auto gap = entries;
  gap.erase(gap.begin() + 2);
  Status st = Verify(gap, HeadOf(gap));
  EXPECT_NE(st.message().find("entries 3 to 3 are missing"), std::string::npos) << st.message();
  auto swapped = entries;
  std::swap(swapped[1], swapped[2]);
  EXPECT_FALSE(Verify(swapped, HeadOf(entries)).ok());
  // Re-sealed after an edit, an entry no longer leads to the next one.
  auto resealed = entries;
  resealed[1].detail = "{\"forged\":true}";
  resealed[1].hash = AuditHash(resealed[1]);
  st = Verify(resealed, HeadOf(resealed));
  EXPECT_NE(st.message().find("audit entry 3: does not follow"), std::string::npos) << st.message();
  // The last entries removed: the head kept apart still names the last one written.
  auto cut = entries;
  cut.resize(3);
  st = Verify(cut, HeadOf(entries));
  EXPECT_NE(st.message().find("head is entry 5 but the log ends at entry 3"), std::string::npos)
      << st.message();
}

}  // namespace
}  // namespace tandem
