#include "rules/condition.h"

#include "core/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

namespace tandem {

// How much of a value a `matches` rule reads.
constexpr size_t kMaxMatchedBytes = 1024;

namespace {

std::optional<double> NumberOf(const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    // Company sizes often arrive as text ("250" or "201-500": the lower bound counts).
    const std::string& text = value.get_ref<const std::string&>();
    double number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec == std::errc() && end != text.data()) return number;
  }
  return std::nullopt;
}

std::string TextOf(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

}  // namespace

const nlohmann::json* FindField(const nlohmann::json& document, std::string_view path) {
  const nlohmann::json* node = &document;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string_view key = path.substr(0, dot);
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return node->is_null() ? nullptr : node;
}

std::string FieldText(const nlohmann::json& document, std::string_view path) {
  const nlohmann::json* value = FindField(document, path);
  return value == nullptr ? "" : TextOf(*value);
}

bool Condition::Holds(const nlohmann::json& document) const {
  const nlohmann::json* value = FindField(document, field);
  if (op == ConditionOp::kExists) {
    bool present =
        value != nullptr && !(value->is_string() && value->get_ref<const std::string&>().empty());
    return present == exists;
  }
  if (value == nullptr) return false;
  switch (op) {
    case ConditionOp::kEquals:
      if (number_value) {
        auto n = NumberOf(*value);
        return n && *n == number;
      }
      if (value->is_boolean()) return EqualsNoCase(texts[0], value->get<bool>() ? "true" : "false");
      return EqualsNoCase(TextOf(*value), texts[0]);
    case ConditionOp::kIn: {
      std::string text = TextOf(*value);
      return std::any_of(texts.begin(), texts.end(),
                         [&](const std::string& t) { return EqualsNoCase(t, text); });
    }
    case ConditionOp::kMatches: {
      // std::regex matches recursively: a long value (a form field anyone can fill) could
      // exhaust the stack. Rules look at titles, industries, domains: the first
      // kMaxMatchedBytes are what they match.
      std::string text = TextOf(*value);
      if (text.size() > kMaxMatchedBytes) text.resize(kMaxMatchedBytes);
      return std::regex_search(text, *regex);
    }
    case ConditionOp::kGte: {
      auto n = NumberOf(*value);
      return n && *n >= number;
    }
    case ConditionOp::kLte: {
      auto n = NumberOf(*value);
      return n && *n <= number;
    }
    case ConditionOp::kExists:
      break;
  }
  return false;
}

std::string Condition::Describe() const {
  switch (op) {
    case ConditionOp::kEquals:
      return number_value ? fmt::format("{} = {}", field, number)
                          : fmt::format("{} = \"{}\"", field, texts[0]);
    case ConditionOp::kIn:
      return fmt::format("{} in [{}]", field, fmt::join(texts, ", "));
    case ConditionOp::kMatches:
      return fmt::format("{} matches \"{}\"", field, texts[0]);
    case ConditionOp::kGte:
      return fmt::format("{} >= {}", field, number);
    case ConditionOp::kLte:
      return fmt::format("{} <= {}", field, number);
    case ConditionOp::kExists:
      return fmt::format("{} {}", field, exists ? "exists" : "is absent");
  }
  return field;
}

}  // namespace tandem
