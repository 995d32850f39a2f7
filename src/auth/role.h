// The roles a user has, and their names as the API, the store, the configuration and
// the command line spell them. What each may do is auth/permissions.h.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string_view>

namespace tandem {

enum class Role { kAdmin, kMarketing, kSalesManager, kSalesRep, kViewer };

// "admin", "marketing", "sales_manager", "sales_rep", "viewer".
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

// JSON takes the name (RoleName), never the number.
void to_json(nlohmann::json& json, Role role) = delete;

}  // namespace tandem
