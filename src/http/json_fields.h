// Reading a request body's fields into a record: each wrong field a 422 invalid_field
// naming it and what it must be. Absent fields keep what the record holds.
#pragma once

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tandem::http {

inline Status InvalidField(std::string message) {
  return Unprocessable("invalid_field", std::move(message));
}

// An optional "<prefix><n>" field ("usr_12"): absent keeps `out`, null clears it.
Status RefField(const nlohmann::json& body, const char* name, const char* prefix,
                std::optional<int64_t>& out);

// An enum's name: `allowed` lists the names for the error.
template <typename E>
Status EnumField(const nlohmann::json& body, const char* name,
                 std::optional<E> (*parse)(std::string_view), const char* allowed, E& out) {
  auto it = body.find(name);
  if (it == body.end()) return OkStatus();
  std::optional<E> value;
  if (it->is_string()) value = parse(it->get<std::string>());
  if (!value) return InvalidField(fmt::format("{} must be one of {}", name, allowed));
  out = *value;
  return OkStatus();
}

}  // namespace tandem::http
