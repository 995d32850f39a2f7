#include "identity/identity.h"

#include <gtest/gtest.h>

#include "identity/email.h"

namespace tandem {
namespace {

KnownIdentity Known(IdentityKind kind, std::string value, int64_t person, std::string user = "") {
  return {{kind, std::move(value)}, person, std::move(user)};
}

TEST(NormalizeEmailTest, LowerCasesAndTrims) {
  EXPECT_EQ(NormalizeEmail("  Ada.Lovelace@Example.COM "), "ada.lovelace@example.com");
  EXPECT_EQ(NormalizeEmail("not-an-email"), "");
  EXPECT_EQ(NormalizeEmail("a@b"), "");
  EXPECT_EQ(NormalizeEmail("a@@b.com"), "");
  EXPECT_EQ(NormalizeEmail("@b.com"), "");
  EXPECT_EQ(NormalizeEmail("a b@c.com"), "");
}

TEST(PlanStitchTest, UnknownAnonymousVisitorGetsNewPerson) {
  EventIdentities ids{.anonymous_id = "anon-1"};
  StitchPlan plan = PlanStitch(ids, {});
  EXPECT_FALSE(plan.person_id.has_value());
  ASSERT_EQ(plan.attach.size(), 1u);
  EXPECT_EQ(plan.attach[0], (Identity{IdentityKind::kAnonymousId, "anon-1"}));
  EXPECT_TRUE(plan.merge_from.empty());
}

TEST(PlanStitchTest, IdentifyAttachesUserIdToAnonymousHistory) {
  EventIdentities ids{.user_id = "u1", .anonymous_id = "anon-1", .email = "a@b.com"};
  std::vector<KnownIdentity> known = {Known(IdentityKind::kAnonymousId, "anon-1", 7)};
  StitchPlan plan = PlanStitch(ids, known);
  ASSERT_TRUE(plan.person_id.has_value());
  EXPECT_EQ(*plan.person_id, 7);
  EXPECT_EQ(plan.user_id, "u1");
  EXPECT_TRUE(plan.merge_from.empty());
  EXPECT_EQ(plan.attach, (std::vector<Identity>{{IdentityKind::kUserId, "u1"},
                                                {IdentityKind::kEmail, "a@b.com"}}));
}

TEST(PlanStitchTest, SecondDeviceMergesIntoUsersPerson) {
  EventIdentities ids{.user_id = "u1", .anonymous_id = "anon-2"};
  std::vector<KnownIdentity> known = {Known(IdentityKind::kUserId, "u1", 3, "u1"),
                                      Known(IdentityKind::kAnonymousId, "anon-2", 9)};
  StitchPlan plan = PlanStitch(ids, known);
  EXPECT_EQ(plan.person_id, 3);
  EXPECT_EQ(plan.merge_from, std::vector<int64_t>{9});
  EXPECT_TRUE(plan.attach.empty());
}

TEST(PlanStitchTest, SharedComputerNeverMergesTwoUsers) {
  // anon-1 belongs to u1's person; u2 logs in on the same browser.
  EventIdentities ids{.user_id = "u2", .anonymous_id = "anon-1"};
  std::vector<KnownIdentity> known = {Known(IdentityKind::kAnonymousId, "anon-1", 3, "u1")};
  StitchPlan plan = PlanStitch(ids, known);
  EXPECT_FALSE(plan.person_id.has_value());
  EXPECT_TRUE(plan.merge_from.empty());
  EXPECT_EQ(plan.attach, (std::vector<Identity>{{IdentityKind::kUserId, "u2"}}));
  EXPECT_EQ(plan.user_id, "u2");
}

TEST(PlanStitchTest, EmailJoinsTwoAnonymousPersons) {
  EventIdentities ids{.anonymous_id = "anon-2", .email = "a@b.com"};
  std::vector<KnownIdentity> known = {Known(IdentityKind::kAnonymousId, "anon-2", 5),
                                      Known(IdentityKind::kEmail, "a@b.com", 2, "u9")};
  StitchPlan plan = PlanStitch(ids, known);
  EXPECT_EQ(plan.person_id, 5);
  EXPECT_EQ(plan.merge_from, std::vector<int64_t>{2});
  EXPECT_EQ(plan.user_id, "u9");
}

TEST(PlanStitchTest, AliasJoinsPreviousIdToUser) {
  EventIdentities ids{.user_id = "u1", .previous_id = "anon-7"};
  std::vector<KnownIdentity> known = {Known(IdentityKind::kAnonymousId, "anon-7", 4)};
  StitchPlan plan = PlanStitch(ids, known);
  EXPECT_EQ(plan.person_id, 4);
  EXPECT_EQ(plan.attach, (std::vector<Identity>{{IdentityKind::kUserId, "u1"}}));
}

TEST(PlanStitchTest, AliasOfUnknownPreviousIdRecordsIt) {
  EventIdentities ids{.user_id = "u1", .previous_id = "old"};
  StitchPlan plan = PlanStitch(ids, {});
  EXPECT_EQ(plan.attach, (std::vector<Identity>{{IdentityKind::kUserId, "u1"},
                                                {IdentityKind::kAnonymousId, "old"}}));
}

TEST(PlanStitchTest, ConflictingMergeCandidatesKeepFirstUser) {
  // anon (person 1, user a) and email (person 2, user b): only compatible persons merge.
  EventIdentities ids{.anonymous_id = "anon", .email = "x@y.com"};
  std::vector<KnownIdentity> known = {Known(IdentityKind::kAnonymousId, "anon", 1, "a"),
                                      Known(IdentityKind::kEmail, "x@y.com", 2, "b")};
  StitchPlan plan = PlanStitch(ids, known);
  EXPECT_EQ(plan.person_id, 1);
  EXPECT_TRUE(plan.merge_from.empty());
  EXPECT_TRUE(plan.attach.empty());
}

}  // namespace
}  // namespace tandem

namespace tandem {
namespace {

TEST(PlanStitchTest, RepeatVisitChangesNothingAboutThePerson) {
  EventIdentities ids{.anonymous_id = "anon-1"};
  std::vector<KnownIdentity> known = {{{IdentityKind::kAnonymousId, "anon-1"}, 7, ""}};
  EXPECT_FALSE(PlanStitch(ids, known).person_changed);
  EventIdentities with_email{.anonymous_id = "anon-1", .email = "a@b.com"};
  EXPECT_TRUE(PlanStitch(with_email, known).person_changed);
  EXPECT_TRUE(PlanStitch(EventIdentities{.anonymous_id = "new"}, {}).person_changed);
}

}  // namespace
}  // namespace tandem
