// Query parameters: integers in a range, and text without control characters.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/query_string.h"
#include "core/status.h"

namespace tandem::http {

using tandem::ParseQuery;
using tandem::UrlDecode;

// The integer parameter `name` of `params`, from `min` to `max`; `fallback` when it is
// absent. Anything else (a sign out of range, text, an empty value) is a 400
// invalid_parameter that names the parameter, the value and the range.
StatusOr<int64_t> IntParam(const std::map<std::string, std::string, std::less<>>& params,
                           std::string_view name, int64_t fallback, int64_t min, int64_t max);
// The value of parameter `name`, or nullopt when absent; a view into `params`.
std::optional<std::string_view> FindParam(
    const std::map<std::string, std::string, std::less<>>& params, std::string_view name);

// 400 invalid_parameter when a parameter's value holds a control character (NUL, CR,
// LF, ...): such text never names anything a search or filter should match.
Status CheckNoControlCharacters(const std::map<std::string, std::string, std::less<>>& params);

}  // namespace tandem::http
