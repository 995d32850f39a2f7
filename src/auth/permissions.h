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

}  // namespace tandem
