#include "auth/role.h"

#include <array>
#include <cstddef>

namespace tandem {
namespace {

constexpr std::array<std::string_view, 5> kNames = {"admin", "marketing", "sales_manager",
                                                    "sales_rep", "viewer"};

}  // namespace

std::string_view RoleName(Role role) { return kNames[static_cast<size_t>(role)]; }

std::optional<Role> ParseRole(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

}  // namespace tandem
