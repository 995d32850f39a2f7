// Small checks the contact service shares between its files (internal to contact/).
#pragma once

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tandem::contact_checks {

template <typename T, typename V>
bool Contains(const std::vector<T>& list, const V& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}
// OK, or 422 invalid_field naming `field`, the value and what it may be.
Status CheckOneOf(std::string_view field, std::string_view value,
                  const std::vector<std::string>& allowed);
// A lead's traits (JSON object text) as an object; empty when the text is not one.
nlohmann::json TraitsObject(const std::string& traits);

}  // namespace tandem::contact_checks
