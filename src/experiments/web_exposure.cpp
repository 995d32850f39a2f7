#include "experiments/web_exposure.h"

#include <nlohmann/json.hpp>

namespace tandem {
namespace {

bool IsKey(const std::string& key) {
  if (key.empty() || key.size() > 64) return false;
  for (const char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

std::vector<WebExposure> WebExposuresOf(std::string_view payload) {
  std::vector<WebExposure> out;
  // Most events carry none: look for the name before parsing anything.
  if (payload.find("\"experiments\"") == std::string_view::npos) return out;
  const nlohmann::json message = nlohmann::json::parse(payload, nullptr, false);
  if (!message.is_object()) return out;
  const auto context = message.find("context");
  if (context == message.end() || !context->is_object()) return out;
  const auto list = context->find("experiments");
  if (list == context->end() || !list->is_array()) return out;
  for (const nlohmann::json& item : *list) {
    if (out.size() == kMaxExposuresPerEvent) break;
    if (!item.is_object()) continue;
    const auto key = item.find("key");
    const auto version = item.find("version");
    const auto variant = item.find("variant");
    if (key == item.end() || !key->is_string() || version == item.end() ||
        !version->is_number_integer() || variant == item.end() || !variant->is_string()) {
      continue;
    }
    WebExposure x{key->get<std::string>(), 0, variant->get<std::string>()};
    const int64_t v = version->get<int64_t>();
    if (!IsKey(x.key) || !IsKey(x.variant) || v < 1 || v > 1'000'000) continue;
    x.version = static_cast<int>(v);
    bool repeated = false;
    for (const WebExposure& earlier : out) repeated = repeated || earlier.key == x.key;
    if (!repeated) out.push_back(std::move(x));
  }
  return out;
}

}  // namespace tandem
