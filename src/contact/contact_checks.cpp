#include "contact/contact_checks.h"

#include <fmt/format.h>

#include <algorithm>

namespace tandem::contact_checks {

Status CheckOneOf(std::string_view field, std::string_view value,
                  const std::vector<std::string>& allowed) {
  if (Contains(allowed, value)) return OkStatus();
  return Unprocessable("invalid_field", fmt::format("{} \"{}\" is not one of {}", field, value,
                                                    fmt::join(allowed, ", ")));
}

nlohmann::json TraitsObject(const std::string& traits) {
  nlohmann::json parsed = nlohmann::json::parse(traits, nullptr, false);
  return parsed.is_object() ? parsed : nlohmann::json::object();
}

}  // namespace tandem::contact_checks
