#include "auth/permissions.h"

#include <fmt/format.h>

namespace tandem {

bool IsKnownRole(std::string_view role) {
  return role == "admin" || role == "marketing" || role == "sales_manager" || role == "sales_rep" ||
         role == "viewer";
}

bool RoleHas(std::string_view role, Permission permission) {
  if (role == "admin") return true;
  switch (permission) {
    case Permission::kReadLeads:
      return IsKnownRole(role);
    case Permission::kReassign:
    case Permission::kManageUsers:
      return role == "sales_manager";
    case Permission::kViewReports:
      return role == "sales_manager" || role == "marketing";
    case Permission::kManageCatalog:
      return role == "marketing";
  }
  return false;
}

Status CheckCanWorkLead(const UserRecord& actor, int64_t lead_id, std::optional<int64_t> owner_id) {
  if (actor.role == "admin" || actor.role == "sales_manager") return OkStatus();
  if (actor.role == "sales_rep") {
    if (owner_id == actor.id) return OkStatus();
    return PermissionDenied(
        "not_owner",
        owner_id ? fmt::format("lead ld_{} is owned by usr_{}; only its owner or a sales "
                               "manager may change it",
                               lead_id, *owner_id)
                 : fmt::format("lead ld_{} has no owner; a sales manager must assign it first",
                               lead_id));
  }
  if (actor.role == "marketing" && !owner_id) return OkStatus();
  return PermissionDenied("forbidden",
                          fmt::format("role {} may not change lead ld_{}", actor.role, lead_id));
}

Status Require(const UserRecord& actor, Permission permission, std::string_view what) {
  if (RoleHas(actor.role, permission)) return OkStatus();
  return PermissionDenied("forbidden", fmt::format("role {} may not {}", actor.role, what));
}

int RoleRank(std::string_view role) {
  if (role == "admin") return 3;
  if (role == "sales_manager") return 2;
  if (role == "marketing" || role == "sales_rep") return 1;
  if (role == "viewer") return 0;
  return -1;
}

Status CheckCanActOnUser(const UserRecord& actor, const UserRecord& target, UserAction action,
                         std::string_view new_role) {
  const bool admin = actor.role == "admin";
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
                                        actor.role));
  }
  if (!self && !admin && RoleRank(actor.role) <= RoleRank(target.role)) {
    return PermissionDenied("forbidden",
                            fmt::format("role {} may not change usr_{}, whose role is {}: only "
                                        "a higher role may",
                                        actor.role, target.id, target.role));
  }
  if (action == UserAction::kSetRole && !admin && RoleRank(new_role) >= RoleRank(actor.role)) {
    return PermissionDenied("forbidden", fmt::format("role {} may not grant the role {}: only "
                                                     "roles below its own",
                                                     actor.role, new_role));
  }
  return OkStatus();
}

Status CheckCanManageTokens(const UserRecord& actor, int64_t owner_id) {
  if (actor.id == owner_id || actor.role == "admin") return OkStatus();
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
  if (actor.role == "admin" || actor.role == "sales_manager" || actor.role == "sales_rep") {
    return OkStatus();
  }
  if (actor.role == "marketing" && IsMarketingStage(stage)) return OkStatus();
  return PermissionDenied(
      "forbidden",
      actor.role == "marketing"
          ? fmt::format("role marketing moves the marketing stages (subscriber, lead, mql, "
                        "recycled); {} is a sales stage",
                        StageName(stage))
          : fmt::format("role {} may not move leads to {}", actor.role, StageName(stage)));
}

Status CheckCanRecordOutcome(const UserRecord& actor, std::string_view disposition) {
  if (actor.role == "admin" || actor.role == "sales_manager" || actor.role == "sales_rep") {
    return OkStatus();
  }
  return PermissionDenied("forbidden",
                          fmt::format("role {} may not record a sales disposition ({}); "
                                      "outcomes are sales' word on a lead",
                                      actor.role, disposition));
}

bool InboundTouchCountsAtOnce(const UserRecord& actor, std::optional<int64_t> owner_id) {
  return actor.role == "admin" || actor.role == "sales_manager" || owner_id == actor.id;
}

Status CheckCanConfirmTouch(const UserRecord& actor) {
  if (actor.role == "admin" || actor.role == "sales_manager") return OkStatus();
  return PermissionDenied(
      "forbidden",
      fmt::format("role {} may not confirm touches (sales_manager or admin)", actor.role));
}

}  // namespace tandem
