// Roles and what each may do. One table, so "who may do what" is read in one place.
//
//   admin          everything
//   sales_manager  read all; work any lead; reassign; manage users; reports
//   sales_rep      read all; work (patch, outcome) the leads it owns
//   marketing      read all; patch traits and marketing stages of unowned leads; set
//                  contact preferences and consents; reports; the campaign and content
//                  catalogs; sources; received email (an inbound mail webhook's token)
//   viewer         read all
//
// Acting on users follows one rule, CheckCanActOnUser below, ranked
//   admin (3) > sales_manager (2) > marketing = sales_rep (1) > viewer (0):
// everyone edits their own profile; acting on another user needs kManageUsers and a rank
// above theirs (admins act on anyone, admins too); nobody changes their own role or
// active flag; nobody grants a role at or above their own rank (admins grant any).
// API tokens: everyone lists and revokes their own; admins anyone's.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "auth/user.h"
#include "core/stage.h"
#include "core/status.h"

namespace tandem {

enum class Permission {
  kReadLeads,
  kReassign,        // give a lead to another owner
  kManageUsers,     // change other users (capacity, out of office, team)
  kViewReports,     // the leak and hygiene reports
  kManageCatalog,   // campaigns and content marketing hands to sales, email templates
  kSendBroadcasts,  // marketing email to a saved filter of leads
  kReceiveMail,     // hand Tandem received email (replies, bounces) to act on
  kRunExperiments,  // create, start and stop experiments (experiments/)
  kReadAudit,       // the audit trail (admins only)
  kPersonalData,    // a person's access and erasure requests (admins only)
  kImportLeads,     // import a file of leads (marketing, sales managers)
  kManageSources,   // add sources of events and read their write keys (marketing)
  kChangeRules,     // save the scoring and routing rules (admins only)
};

bool RoleHas(Role role, Permission permission);
// Owner, sales manager or admin; marketing on leads nobody owns. `owner_id` is the
// lead's owner (nullopt: nobody owns it).
Status CheckCanWorkLead(const UserRecord& actor, int64_t lead_id, std::optional<int64_t> owner_id);
Status Require(const UserRecord& actor, Permission permission, std::string_view what);

// A role's rank (above); -1 for none (a name that is no role).
int RoleRank(std::optional<Role> role);
enum class UserAction {
  kEditProfile,  // name, timezone, working hours, out of office
  kManage,       // capacity, team
  kSetActive,    // deactivate or reactivate
  kSetRole,      // `new_role` is the role granted
};
// OK, or 403 forbidden saying which part of the rule refused.
Status CheckCanActOnUser(const UserRecord& actor, const UserRecord& target, UserAction action,
                         std::optional<Role> new_role = std::nullopt);
// Listing, creating or revoking the API tokens of user `owner_id`.
Status CheckCanManageTokens(const UserRecord& actor, int64_t owner_id);
// Which stages a role may move a lead to, written once. Marketing moves the marketing
// stages (subscriber, lead, mql, recycled); the sales stages (sal, sql, opportunity,
// customer, disqualified) and every sales disposition (outcome) belong to the sales
// roles and admins. Viewers move nothing. The lead-level rule (CheckCanWorkLead)
// applies as well.
bool IsMarketingStage(Stage stage);
Status CheckCanMoveToStage(const UserRecord& actor, Stage stage);
Status CheckCanRecordOutcome(const UserRecord& actor, std::string_view disposition);
// An inbound touch (the lead replied, called) earns engagement points when its owner,
// a sales manager or an admin records it; anyone else's waits until a sales manager
// or an admin confirms it.
bool InboundTouchCountsAtOnce(const UserRecord& actor, std::optional<int64_t> owner_id);
Status CheckCanConfirmTouch(const UserRecord& actor);

}  // namespace tandem
