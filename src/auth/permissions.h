// Roles and what each may do. One table, so "who may do what" is read in one place.
//
//   admin          everything
//   sales_manager  read all; work any lead; reassign; manage users; reports
//   sales_rep      read all; work (patch, outcome) the leads it owns
//   marketing      read all; patch traits and marketing stages of unowned leads; set
//                  contact preferences and consents; reports; the campaign and content
//                  catalogs
//   viewer         read all
#pragma once

#include <string_view>

#include "core/status.h"
#include "store/lead_records.h"

namespace tandem {

enum class Permission {
  kReadLeads,
  kReassign,       // give a lead to another owner
  kManageUsers,    // change other users (capacity, out of office, team)
  kViewReports,    // the leak and hygiene reports
  kManageCatalog,  // campaigns and content marketing hands to sales
};

bool IsKnownRole(std::string_view role);
bool RoleHas(std::string_view role, Permission permission);
// Owner, sales manager or admin; marketing on leads nobody owns.
Status CheckCanWorkLead(const UserRecord& actor, const LeadRecord& lead);
Status Require(const UserRecord& actor, Permission permission, std::string_view what);

// Which stages a role may move a lead to, written once. Marketing moves the marketing
// stages (subscriber, lead, mql, recycled); the sales stages (sal, sql, opportunity,
// customer, disqualified) and every sales disposition (outcome) belong to the sales
// roles and admins. Viewers move nothing. The lead-level rule (CheckCanWorkLead)
// applies as well.
bool IsMarketingStage(std::string_view stage);
Status CheckCanMoveToStage(const UserRecord& actor, std::string_view stage);
Status CheckCanRecordOutcome(const UserRecord& actor, std::string_view disposition);
// An inbound touch (the lead replied, called) earns engagement points when its owner,
// a sales manager or an admin records it; anyone else's waits until a sales manager
// or an admin confirms it.
bool InboundTouchCountsAtOnce(const UserRecord& actor, const LeadRecord& lead);
Status CheckCanConfirmTouch(const UserRecord& actor);

}  // namespace tandem
