// Condition: one test on a field of a JSON document (a lead's traits, an event's
// message), the building block of scoring and routing rules.
//
// Fields are dotted paths ("company.size", "properties.plan"). Operators: equals (text
// compares without case), in (one of a list), matches (a regular expression, without
// case, anywhere in the text), gte/lte (numbers), exists. Immutable once built;
// safe to share between threads.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace tandem {

enum class ConditionOp { kEquals, kIn, kMatches, kGte, kLte, kExists };

struct Condition {
  std::string field;
  ConditionOp op = ConditionOp::kExists;
  std::vector<std::string> texts;           // equals: one; in: several; matches: the pattern
  double number = 0;                        // gte, lte; equals when number_value
  bool number_value = false;                // equals compares numbers
  bool exists = true;                       // exists = false tests absence
  std::shared_ptr<const std::regex> regex;  // matches; shared so rules stay copyable

  // True when the document's field satisfies the condition.
  bool Holds(const nlohmann::json& document) const;
  // A short human description, e.g. `title matches "director"`.
  std::string Describe() const;
};

// The value at a dotted path, or nullptr.
const nlohmann::json* FindField(const nlohmann::json& document, std::string_view path);
// The value as text for explanations ("" when absent).
std::string FieldText(const nlohmann::json& document, std::string_view path);

}  // namespace tandem
