// The one rule for acting on users, case by case: who may change whom, and which roles
// each may grant.
#include "auth/permissions.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace tandem {
namespace {

UserRecord User(int64_t id, const char* role) {
  UserRecord u;
  u.id = id;
  u.role = *ParseRole(role);
  return u;
}

struct Case {
  const char* actor;
  const char* target;  // "self" for the actor itself
  UserAction action;
  const char* new_role;
  bool allowed;
};

std::string Describe(const Case& c) {
  static const char* const kActions[] = {"edit profile", "manage", "set active", "set role"};
  return fmt::format("{} → {}: {} {}", c.actor, c.target, kActions[static_cast<int>(c.action)],
                     c.new_role);
}

TEST(PermissionsTest, NobodyActsOnAHigherRoleOrGrantsOneAtOrAboveTheirOwn) {
  using A = UserAction;
  const Case kCases[] = {
      // Everyone edits their own profile; nobody changes their own role or active flag.
      {"viewer", "self", A::kEditProfile, "", true},
      {"sales_rep", "self", A::kEditProfile, "", true},
      {"sales_rep", "self", A::kManage, "", false},
      {"sales_manager", "self", A::kManage, "", true},
      {"sales_manager", "self", A::kSetRole, "admin", false},
      {"admin", "self", A::kSetRole, "viewer", false},
      {"admin", "self", A::kSetActive, "", false},
      // Without the user-management permission, nobody else's user.
      {"sales_rep", "viewer", A::kEditProfile, "", false},
      {"marketing", "viewer", A::kManage, "", false},
      {"viewer", "sales_rep", A::kSetActive, "", false},
      // A sales manager: users below it, not its peers, not admins.
      {"sales_manager", "sales_rep", A::kManage, "", true},
      {"sales_manager", "sales_rep", A::kSetActive, "", true},
      {"sales_manager", "marketing", A::kEditProfile, "", true},
      {"sales_manager", "viewer", A::kSetRole, "sales_rep", true},
      {"sales_manager", "sales_rep", A::kSetRole, "viewer", true},
      {"sales_manager", "admin", A::kSetActive, "", false},
      {"sales_manager", "admin", A::kEditProfile, "", false},
      {"sales_manager", "admin", A::kSetRole, "viewer", false},
      {"sales_manager", "sales_manager", A::kSetActive, "", false},
      {"sales_manager", "sales_rep", A::kSetRole, "sales_manager", false},
      {"sales_manager", "sales_rep", A::kSetRole, "admin", false},
      // An admin: anyone, admins too, any role.
      {"admin", "admin", A::kSetActive, "", true},
      {"admin", "sales_manager", A::kEditProfile, "", true},
      {"admin", "viewer", A::kSetRole, "admin", true},
  };
  for (const Case& c : kCases) {
    const UserRecord actor = User(1, c.actor);
    const UserRecord target = std::string_view(c.target) == "self" ? actor : User(2, c.target);
    Status s = CheckCanActOnUser(actor, target, c.action, ParseRole(c.new_role));
    EXPECT_EQ(s.ok(), c.allowed) << Describe(c) << ": " << s.message();
    if (!s.ok()) {
      EXPECT_EQ(s.error_code(), "forbidden") << Describe(c);
    }
  }
}

TEST(PermissionsTest, RanksPutAdminsFirstAndViewersLast) {
  EXPECT_GT(RoleRank(ParseRole("admin")), RoleRank(ParseRole("sales_manager")));
  EXPECT_GT(RoleRank(ParseRole("sales_manager")), RoleRank(ParseRole("sales_rep")));
  EXPECT_EQ(RoleRank(ParseRole("sales_rep")), RoleRank(ParseRole("marketing")));
  EXPECT_GT(RoleRank(ParseRole("marketing")), RoleRank(ParseRole("viewer")));
  EXPECT_LT(RoleRank(ParseRole("root")), RoleRank(ParseRole("viewer")));
}

TEST(PermissionsTest, TokensAreTheirOwnersAndAdmins) {
  EXPECT_TRUE(CheckCanManageTokens(User(1, "viewer"), 1).ok());
  EXPECT_FALSE(CheckCanManageTokens(User(1, "sales_manager"), 2).ok());
  EXPECT_TRUE(CheckCanManageTokens(User(1, "admin"), 2).ok());
}

}  // namespace
}  // namespace tandem
