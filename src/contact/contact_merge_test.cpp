// Merging two persons' contact records: the most restrictive choice wins.
#include "contact/contact_merge.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace tandem {
namespace {

TimePoint T(const char* text) { return *ParseIsoTime(text); }

ContactPrefs Prefs(int64_t lead_id) {
  ContactPrefs p;
  p.lead_id = lead_id;
  return p;
}

ConsentRecord Consent(int64_t id, int64_t lead_id, const char* purpose, const char* status,
                      const char* at, const char* method = "form") {
  ConsentRecord c;
  c.id = id;
  c.lead_id = lead_id;
  c.purpose = *ParsePurpose(purpose);
  c.status = status;
  c.at = T(at);
  c.method = method;
  return c;
}

TEST(MergeContactPrefsTest, KeepsTheSurvivorsChoicesAndFillsTheGaps) {
  ContactPrefs into = Prefs(1);
  into.preferred_channel = Channel::kCall;
  ContactPrefs from = Prefs(2);
  from.preferred_channel = Channel::kEmail;
  from.timezone = "Europe/Paris";
  from.ooo_from = T("2026-11-01T00:00:00Z");
  from.ooo_until = T("2026-11-10T00:00:00Z");
  const TimePoint now = T("2026-11-22T10:00:00Z");
  ContactPrefs merged = MergeContactPrefs(into, from, now);
  EXPECT_EQ(merged.lead_id, 1);
  EXPECT_EQ(merged.preferred_channel, Channel::kCall);
  EXPECT_EQ(merged.timezone, "Europe/Paris");
  EXPECT_EQ(merged.ooo_from, from.ooo_from);
  EXPECT_EQ(merged.ooo_until, from.ooo_until);
  EXPECT_EQ(merged.updated_at, now);
}

TEST(MergeContactPrefsTest, EveryRefusedChannelStaysRefused) {
  ContactPrefs into = Prefs(1);
  into.do_not_contact = R"({"phone":"asked on a call"})";
  ContactPrefs from = Prefs(2);
  from.do_not_contact = R"({"phone":"other reason","email":"bounced"})";
  auto dnc = nlohmann::json::parse(MergeContactPrefs(into, from, {}).do_not_contact);
  EXPECT_EQ(dnc, (nlohmann::json{{"phone", "asked on a call"}, {"email", "bounced"}}));
  into.do_not_contact = "not json";
  dnc = nlohmann::json::parse(MergeContactPrefs(into, from, {}).do_not_contact);
  EXPECT_EQ(dnc, (nlohmann::json{{"phone", "other reason"}, {"email", "bounced"}}));
}

TEST(MergeContactPrefsTest, TheEarlierUnsubscribeWins) {
  ContactPrefs into = Prefs(1);
  ContactPrefs from = Prefs(2);
  from.unsubscribed_at = T("2026-10-01T00:00:00Z");
  EXPECT_EQ(MergeContactPrefs(into, from, {}).unsubscribed_at, from.unsubscribed_at);
  into.unsubscribed_at = T("2026-09-01T00:00:00Z");
  EXPECT_EQ(MergeContactPrefs(into, from, {}).unsubscribed_at, into.unsubscribed_at);
  into.unsubscribed_at = T("2026-10-05T00:00:00Z");
  EXPECT_EQ(MergeContactPrefs(into, from, {}).unsubscribed_at, from.unsubscribed_at);
}

TEST(MergeContactPrefsTest, AnAddressGivenByHandOutranksAnInboundOne) {
  ContactPrefs into = Prefs(1);
  into.address_source = "form";
  ContactPrefs from = Prefs(2);
  from.address_source = "purchased_list";
  EXPECT_EQ(MergeContactPrefs(into, from, {}).address_source, "purchased_list");
  into.address_source = "import";
  EXPECT_EQ(MergeContactPrefs(into, from, {}).address_source, "import");
  into.address_source = "";
  from.address_source = "event";
  EXPECT_EQ(MergeContactPrefs(into, from, {}).address_source, "");
}

TEST(KeptWithdrawalsTest, AWithdrawalOnEitherSideSurvivesALaterGrant) {
  std::vector<ConsentRecord> into = {
      Consent(1, 10, "email_marketing", "granted", "2026-11-05T00:00:00Z")};
  std::vector<ConsentRecord> from = {
      Consent(2, 20, "email_marketing", "granted", "2026-11-01T00:00:00Z"),
      Consent(3, 20, "email_marketing", "withdrawn", "2026-11-02T00:00:00Z")};
  const TimePoint now = T("2026-11-22T10:00:00Z");
  auto added = KeptWithdrawals(into, from, 20, 10, now);
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].lead_id, 10);
  EXPECT_EQ(added[0].purpose, Purpose::kEmailMarketing);
  EXPECT_EQ(added[0].status, "withdrawn");
  EXPECT_EQ(added[0].method, "merge");
  EXPECT_EQ(added[0].actor, "system");
  EXPECT_EQ(added[0].at, now);
  EXPECT_EQ(added[0].wording, "kept the withdrawal of ld_20 when merging it into ld_10");
}

TEST(KeptWithdrawalsTest, NothingWhenTheCombinedHistoryAlreadyEndsWithdrawn) {
  std::vector<ConsentRecord> into = {
      Consent(1, 10, "email_marketing", "granted", "2026-11-01T00:00:00Z"),
      Consent(2, 10, "sales_outreach", "granted", "2026-11-01T00:00:00Z")};
  std::vector<ConsentRecord> from = {
      Consent(3, 20, "email_marketing", "withdrawn", "2026-11-02T00:00:00Z")};
  EXPECT_TRUE(KeptWithdrawals(into, from, 20, 10, T("2026-11-22T10:00:00Z")).empty());
}

TEST(KeptWithdrawalsTest, RecordedAfterTheLastConsentKept) {
  std::vector<ConsentRecord> into = {
      Consent(1, 10, "email_marketing", "withdrawn", "2026-11-01T00:00:00Z")};
  std::vector<ConsentRecord> from = {
      Consent(2, 20, "email_marketing", "granted", "2026-12-01T00:00:00Z")};
  auto added = KeptWithdrawals(into, from, 20, 10, T("2026-11-22T10:00:00Z"));
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].at, T("2026-12-01T00:00:00Z"));
}

}  // namespace
}  // namespace tandem
