#include "contact/contact_import.h"

#include <gtest/gtest.h>

#include "contact/gate.h"
#include "core/time_format.h"

namespace tandem {
namespace {

const TimePoint kNow = *ParseIsoTime("2026-12-01T10:00:00Z");

ImportedContact Row() {
  ImportedContact row;
  row.address_source = "import";
  row.consent_basis = "none";
  row.evidence = "file 1a2b line 7";
  return row;
}

ContactPrefs Prefs(std::string_view source = "") {
  ContactPrefs p;
  p.lead_id = 7;
  p.address_source = std::string(source);
  return p;
}

TEST(ImportedContactTest, ANewLeadTakesTheFilesSourceAnExistingOneKeepsItsOwn) {
  ImportedContact row = Row();
  row.address_source = "purchased";
  auto created = PlanImportedContact(Prefs(), {}, row, /*new_lead=*/true, kNow);
  ASSERT_TRUE(created.prefs);
  EXPECT_EQ(created.prefs->address_source, "purchased");
  // The person gave the address on a form before: a purchased list with it changes nothing.
  auto existing = PlanImportedContact(Prefs(""), {}, row, /*new_lead=*/false, kNow);
  EXPECT_FALSE(existing.prefs);
  EXPECT_TRUE(existing.changed.empty());
}

TEST(ImportedContactTest, AnOptOutAndADoNotCallAreKeptWithTheirRecord) {
  ImportedContact row = Row();
  row.email_opt_out = true;
  row.do_not_call = true;
  auto plan = PlanImportedContact(Prefs("import"), {}, row, false, kNow);
  ASSERT_TRUE(plan.prefs);
  EXPECT_EQ(plan.prefs->unsubscribed_at, kNow);
  auto dnc = nlohmann::json::parse(plan.prefs->do_not_contact);
  EXPECT_TRUE(dnc.contains("call"));
  ASSERT_EQ(plan.consents.size(), 1u);
  EXPECT_EQ(plan.consents[0].status, "withdrawn");
  EXPECT_EQ(plan.consents[0].method, "import");
  EXPECT_EQ(plan.consents[0].evidence, "file 1a2b line 7");
  // Imported again: nothing new to record.
  auto again = PlanImportedContact(*plan.prefs, plan.consents, row, false, kNow);
  EXPECT_FALSE(again.prefs);
  EXPECT_TRUE(again.consents.empty());
}

TEST(ImportedContactTest, AFileWithoutTheOptOutNeverLiftsOne) {
  ContactPrefs prefs = Prefs("import");
  prefs.unsubscribed_at = kNow - std::chrono::hours(24);
  prefs.do_not_contact = R"({"call":"asked on the phone"})";
  ImportedContact row = Row();  // no opt-out, no do-not-call
  row.consent_basis = "consent";
  row.consent_wording = "Send me the newsletter";
  auto plan = PlanImportedContact(prefs, {}, row, false, kNow);
  EXPECT_FALSE(plan.prefs);  // the opt-out and the do-not-call stay as they were
  EXPECT_TRUE(plan.consents.empty());
  EXPECT_EQ(plan.changed["consent"], "withdrawal_kept");
}

TEST(ImportedContactTest, AConsentIsGrantedOnceAndNotOverAWithdrawal) {
  ImportedContact row = Row();
  row.consent_basis = "consent";
  row.consent_wording = "Send me the newsletter";
  auto plan = PlanImportedContact(Prefs("import"), {}, row, false, kNow);
  ASSERT_EQ(plan.consents.size(), 1u);
  EXPECT_EQ(plan.consents[0].status, "granted");
  EXPECT_EQ(plan.consents[0].wording, "Send me the newsletter");
  EXPECT_EQ(ConsentState(plan.consents, Purpose::kEmailMarketing), "granted");
  auto again = PlanImportedContact(Prefs("import"), plan.consents, row, false, kNow);
  EXPECT_TRUE(again.consents.empty());
  EXPECT_EQ(again.changed["consent"], "already_granted");

  ConsentRecord withdrawn = plan.consents[0];
  withdrawn.status = "withdrawn";
  withdrawn.method = "unsubscribe_link";
  withdrawn.at = kNow + std::chrono::hours(1);
  auto after_withdrawal = PlanImportedContact(Prefs("import"), {plan.consents[0], withdrawn}, row,
                                              false, kNow + std::chrono::hours(2));
  EXPECT_TRUE(after_withdrawal.consents.empty());
  EXPECT_EQ(after_withdrawal.changed["consent"], "withdrawal_kept");
}

}  // namespace
}  // namespace tandem
