#include "auth/permissions.h"

#include <fmt/format.h>

namespace tandem {

bool RoleHas(Role role, Permission permission) {
  if (role == Role::kAdmin) return true;
  switch (permission) {
    case Permission::kReadLeads:
      return true;
    case Permission::kReassign:
    case Permission::kManageUsers:
      return role == Role::kSalesManager;
    case Permission::kViewReports:
    case Permission::kImportLeads:
      return role == Role::kSalesManager || role == Role::kMarketing;
    case Permission::kManageCatalog:
    case Permission::kManageSources:
    case Permission::kSendBroadcasts:
    case Permission::kReceiveMail:
    case Permission::kRunExperiments:
      return role == Role::kMarketing;
    case Permission::kReadAudit:
    case Permission::kPersonalData:
    case Permission::kChangeRules:
      return false;
  }
  return false;
}

Status CheckCanWorkLead(const UserRecord& actor, int64_t lead_id, std::optional<int64_t> owner_id) {
  if (actor.role == Role::kAdmin || actor.role == Role::kSalesManager) return OkStatus();
  if (actor.role == Role::kSalesRep) {
    if (owner_id == actor.id) return OkStatus();
    return PermissionDenied(
        "not_owner",
        owner_id ? fmt::format("lead ld_{} is owned by usr_{}; only its owner or a sales "
                               "manager may change it",
                               lead_id, *owner_id)
                 : fmt::format("lead ld_{} has no owner; a sales manager must assign it first",
                               lead_id));
  }
  if (actor.role == Role::kMarketing && !owner_id) return OkStatus();
  return PermissionDenied(
      "forbidden", fmt::format("role {} may not change lead ld_{}", RoleName(actor.role), lead_id));
}

Status Require(const UserRecord& actor, Permission permission, std::string_view what) {
  if (RoleHas(actor.role, permission)) return OkStatus();
  return PermissionDenied("forbidden",
                          fmt::format("role {} may not {}", RoleName(actor.role), what));
}

int RoleRank(std::optional<Role> role) {
  if (!role) return -1;
  switch (*role) {
    case Role::kAdmin:
      return 3;
    case Role::kSalesManager:
      return 2;
    case Role::kMarketing:
    case Role::kSalesRep:
      return 1;
    case Role::kViewer:
      return 0;
  }
  return -1;
}

Status CheckCanActOnUser(const UserRecord& actor, const UserRecord& target, UserAction action,
                         std::optional<Role> new_role) {
  const bool admin = actor.role == Role::kAdmin;
  const bool self = actor.id == target.id;
  if (self && action == UserAction::kEditProfile) return OkStatus();
  if (self && (action == UserAction::kSetRole || action == UserAction::kSetActive)) {
    return PermissionDenied("forbidden",
                            "nobody may change their own role or active flag; another admin may");
  }
  if (!RoleHas(actor.role, Permission::kManageUsers)) {
    return PermissionDenied("forbidden",
                            fmt::format("role {} may change only its own name, timezone, hours "
                                        "and out of office",
                                        RoleName(actor.role)));
  }
  if (!self && !admin && RoleRank(actor.role) <= RoleRank(target.role)) {
    return PermissionDenied("forbidden",
                            fmt::format("role {} may not change usr_{}, whose role is {}: only "
                                        "a higher role may",
                                        RoleName(actor.role), target.id, RoleName(target.role)));
  }
  if (action == UserAction::kSetRole && !admin && RoleRank(new_role) >= RoleRank(actor.role)) {
    return PermissionDenied("forbidden",
                            fmt::format("role {} may not grant the role {}: only "
                                        "roles below its own",
                                        RoleName(actor.role), new_role ? RoleName(*new_role) : ""));
  }
  return OkStatus();
}

Status CheckCanManageTokens(const UserRecord& actor, int64_t owner_id) {
  if (actor.id == owner_id || actor.role == Role::kAdmin) return OkStatus();
  return PermissionDenied("forbidden",
                          fmt::format("only an admin may see or revoke the API tokens of "
                                      "another user (usr_{})",
                                      owner_id));
}

bool IsMarketingStage(Stage stage) {
  return stage == Stage::kSubscriber || stage == Stage::kLead || stage == Stage::kMql ||
         stage == Stage::kRecycled;
}

Status CheckCanMoveToStage(const UserRecord& actor, Stage stage) {
  if (actor.role == Role::kAdmin || actor.role == Role::kSalesManager ||
      actor.role == Role::kSalesRep) {
    return OkStatus();
  }
  if (actor.role == Role::kMarketing && IsMarketingStage(stage)) return OkStatus();
  return PermissionDenied(
      "forbidden",
      actor.role == Role::kMarketing
          ? fmt::format("role marketing moves the marketing stages (subscriber, lead, mql, "
                        "recycled); {} is a sales stage",
                        StageName(stage))
          : fmt::format("role {} may not move leads to {}", RoleName(actor.role),
                        StageName(stage)));
}

Status CheckCanRecordOutcome(const UserRecord& actor, std::string_view disposition) {
  if (actor.role == Role::kAdmin || actor.role == Role::kSalesManager ||
      actor.role == Role::kSalesRep) {
    return OkStatus();
  }
  return PermissionDenied("forbidden",
                          fmt::format("role {} may not record a sales disposition ({}); "
                                      "outcomes are sales' word on a lead",
                                      RoleName(actor.role), disposition));
}

bool InboundTouchCountsAtOnce(const UserRecord& actor, std::optional<int64_t> owner_id) {
  return actor.role == Role::kAdmin || actor.role == Role::kSalesManager || owner_id == actor.id;
}

Status CheckCanConfirmTouch(const UserRecord& actor) {
  if (actor.role == Role::kAdmin || actor.role == Role::kSalesManager) return OkStatus();
  return PermissionDenied("forbidden",
                          fmt::format("role {} may not confirm touches (sales_manager or admin)",
                                      RoleName(actor.role)));
}

}  // namespace tandem
