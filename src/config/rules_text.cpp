#include "config/rules_text.h"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <cmath>

#include "config/config_rules.h"
#include "config/section_reader.h"

namespace tandem {
namespace {

// A TOML basic string: quotes, backslashes and control characters escaped.
std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\u{:04X}", byte);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Number(double value) {
  if (std::floor(value) == value && std::fabs(value) < 1e15) {
    return fmt::format("{}", static_cast<int64_t>(value));
  }
  return fmt::format("{}", value);
}

std::string QuotedList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + Quoted(items[i]);
  return out + "]";
}

// The operator and operand of a condition: `matches = "vp"`.
std::string Operand(const Condition& c) {
  switch (c.op) {
    case ConditionOp::kEquals:
      if (c.number_value) return "equals = " + Number(c.number);
      return "equals = " + Quoted(c.texts.empty() ? "" : c.texts[0]);
    case ConditionOp::kIn:
      return "in = " + QuotedList(c.texts);
    case ConditionOp::kMatches:
      return "matches = " + Quoted(c.texts.empty() ? "" : c.texts[0]);
    case ConditionOp::kGte:
      return "gte = " + Number(c.number);
    case ConditionOp::kLte:
      return "lte = " + Number(c.number);
    case ConditionOp::kExists:
      return std::string("exists = ") + (c.exists ? "true" : "false");
  }
  return "";
}

// `[{ trait = "country", in = ["DE"] }, …]`.
std::string Conditions(const std::vector<Condition>& conditions, const char* field_key) {
  std::string out = "[";
  for (size_t i = 0; i < conditions.size(); ++i) {
    out += fmt::format("{}{{ {} = {}, {} }}", i ? ", " : "", field_key, Quoted(conditions[i].field),
                       Operand(conditions[i]));
  }
  return out + "]";
}

std::string ScoringToml(const ScoringConfig& s) {
  std::string out = "[scoring]\n";
  out += fmt::format("half_life_days = {}\nmql_fit = {}\nmql_engagement = {}\n",
                     Number(s.half_life_days), Number(s.mql_fit), Number(s.mql_engagement));
  if (s.hot_total > 0) out += fmt::format("hot_total = {}\n", Number(s.hot_total));
  out += fmt::format("hand_raise_events = {}\nhand_raise_forms = {}\n",
                     QuotedList(s.hand_raise_events), QuotedList(s.hand_raise_forms));
  // An empty list replaces the defaults with nothing; it is written as such.
  if (s.fit.empty()) out += "fit = []\n";
  if (s.engagement.empty()) out += "engagement = []\n";
  for (const FitRule& rule : s.fit) {
    out += fmt::format("\n[[scoring.fit]]\nname = {}\ntrait = {}\n{}\npoints = {}\n",
                       Quoted(rule.name), Quoted(rule.condition.field), Operand(rule.condition),
                       Number(rule.points));
  }
  for (const EngagementRule& rule : s.engagement) {
    out += fmt::format("\n[[scoring.engagement]]\nname = {}\n", Quoted(rule.name));
    if (!rule.type.empty()) out += fmt::format("type = {}\n", Quoted(rule.type));
    if (!rule.event.empty()) out += fmt::format("event = {}\n", Quoted(rule.event));
    if (!rule.path.empty()) out += fmt::format("path = {}\n", Quoted(rule.path));
    if (!rule.where.empty()) out += fmt::format("where = {}\n", Conditions(rule.where, "field"));
    out += fmt::format("points = {}\n", Number(rule.points));
    if (rule.cap_per_day > 0) out += fmt::format("cap_per_day = {}\n", Number(rule.cap_per_day));
  }
  return out;
}

std::string RoutingToml(const RoutingConfig& r) {
  std::string out =
      fmt::format("[routing]\naccount_match = {}\n", r.account_match ? "true" : "false");
  if (!r.fallback_team.empty()) out += fmt::format("fallback_team = {}\n", Quoted(r.fallback_team));
  for (const RoutingRule& rule : r.rules) {
    out += fmt::format("\n[[routing.rules]]\nname = {}\nteam = {}\n", Quoted(rule.name),
                       Quoted(rule.team));
    if (!rule.when.empty()) out += fmt::format("when = {}\n", Conditions(rule.when, "trait"));
  }
  return out;
}

}  // namespace

StatusOr<LeadRules> ParseRules(std::string_view text, std::string_view origin) {
  TANDEM_ASSIGN_OR_RETURN(toml::table root, ParseTomlText(text, origin));
  LeadRules rules;
  for (auto&& [key, node] : root) {
    const toml::table* table = node.as_table();
    if (key.str() != "scoring" && key.str() != "routing") {
      return InvalidArgument(
          "config_unknown_key",
          fmt::format("{}:{}: [{}] does not belong with the rules (only [scoring] and [routing]; "
                      "the other sections stay in tandem.toml)",
                      origin, key.source().begin.line, key.str()));
    }
    if (table == nullptr) {
      return InvalidArgument(
          "config_invalid_value",
          fmt::format("{}:{}: [{}] must be a table", origin, node.source().begin.line, key.str()));
    }
    TANDEM_RETURN_IF_ERROR(key.str() == "scoring" ? ReadScoring(*table, origin, rules.scoring)
                                                  : ReadRouting(*table, origin, rules.routing));
  }
  return rules;
}

std::string RulesToml(const ScoringConfig& scoring, const RoutingConfig& routing) {
  return ScoringToml(scoring) + "\n" + RoutingToml(routing);
}

}  // namespace tandem
