#include "http/json_fields.h"

#include "http/email_json.h"

namespace tandem::http {

Status RefField(const nlohmann::json& body, const char* name, const char* prefix,
                std::optional<int64_t>& out) {
  auto it = body.find(name);
  if (it == body.end()) return OkStatus();
  if (it->is_null()) {
    out.reset();
    return OkStatus();
  }
  std::optional<int64_t> id;
  if (it->is_string()) id = ParsePrefixedId(it->get<std::string>(), prefix);
  if (!id) return InvalidField(fmt::format("{} must be {}<n> or null", name, prefix));
  out = *id;
  return OkStatus();
}

}  // namespace tandem::http
