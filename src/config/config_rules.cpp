#include "config/config_rules.h"

#include <algorithm>
#include <functional>
#include <set>
#include <vector>

#include "auth/permissions.h"
#include "config/section_reader.h"
#include "core/zones.h"
#include "leads/lifecycle.h"

namespace tandem {
namespace {

// How deeply a rule's regular expression may nest groups, and how long it may be:
// std::regex compiles recursively, and rules never need more.
constexpr int kMaxRegexNesting = 16;
constexpr size_t kMaxRegexBytes = 1000;

// The deepest nesting of parentheses or brackets in `text` (escapes skipped).
int RegexNesting(std::string_view text) {
  int depth = 0, deepest = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '(' || text[i] == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((text[i] == ')' || text[i] == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// Whether `text` repeats a group that itself repeats ("(a+)+", "((x)*)*"): std::regex
// backtracks through such a pattern in exponential time on a text that almost matches.
bool NestedRepetition(std::string_view text) {
  std::vector<bool> repeats{false};  // per open group: whether something in it repeats
  auto quantifier = [&](size_t i) {
    return i < text.size() && (text[i] == '*' || text[i] == '+' || text[i] == '{');
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      ++i;
      if (quantifier(i + 1)) repeats.back() = true;
    } else if (c == '[') {  // a character class is one atom
      while (i + 1 < text.size() && text[i + 1] != ']') i += text[i + 1] == '\\' ? 2 : 1;
      ++i;
      if (quantifier(i + 1)) repeats.back() = true;
    } else if (c == '(') {
      repeats.push_back(false);
    } else if (c == ')' && repeats.size() > 1) {
      const bool inner = repeats.back();
      repeats.pop_back();
      if (quantifier(i + 1) && inner) return true;
      if (inner || quantifier(i + 1)) repeats.back() = true;
    } else if (quantifier(i + 1) && c != ')') {
      repeats.back() = true;
    }
  }
  return false;
}

// The longest run of decimal digits in `text`.
size_t LongestDigitRun(std::string_view text) {
  size_t longest = 0, run = 0;
  for (char ch : text) {
    run = ch >= '0' && ch <= '9' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

Status ReadEquals(const toml::node& node, std::string_view name, std::string_view origin,
                  Condition& c) {
  if (node.is_number()) {
    c.number_value = true;
    c.number = *node.value<double>();
  } else if (node.is_string()) {
    c.texts = {*node.value<std::string>()};
  } else if (node.is_boolean()) {
    c.texts = {*node.value<bool>() ? "true" : "false"};
  } else {
    return ConfigError(origin, node, fmt::format("{} must be a string, number or boolean", name));
  }
  return OkStatus();
}

Status ReadIn(const toml::node& node, std::string_view name, std::string_view origin,
              Condition& c) {
  const toml::array* array = node.as_array();
  if (array == nullptr || array->empty()) {
    return ConfigError(origin, node, fmt::format("{} must be a non-empty list", name));
  }
  for (const toml::node& item : *array) {
    if (item.is_string()) {
      c.texts.push_back(*item.value<std::string>());
    } else if (item.is_number()) {
      c.texts.push_back(fmt::format("{}", *item.value<double>()));
    } else {
      return ConfigError(origin, item, fmt::format("{} items must be strings or numbers", name));
    }
  }
  return OkStatus();
}

Status ReadMatches(const toml::node& node, std::string_view name, std::string_view origin,
                   Condition& c) {
  auto pattern = node.value<std::string>();
  if (!pattern || !node.is_string()) {
    return ConfigError(origin, node, fmt::format("{} must be a regular expression string", name));
  }
  // std::regex reads a back-reference or a repeat count into a long without
  // checking for overflow: refuse long numbers before it sees them.
  if (pattern->size() > kMaxRegexBytes || RegexNesting(*pattern) > kMaxRegexNesting) {
    return ConfigError(origin, node,
                       fmt::format("{}: the regular expression is too long or too deeply "
                                   "nested (at most {} bytes and {} levels of groups)",
                                   name, kMaxRegexBytes, kMaxRegexNesting));
  }
  if (NestedRepetition(*pattern)) {
    return ConfigError(origin, node,
                       fmt::format("{}: \"{}\" repeats a group that itself repeats, which can "
                                   "take exponential time; write the repetition once",
                                   name, *pattern));
  }
  if (size_t run = LongestDigitRun(*pattern); run > 6) {
    return ConfigError(origin, node,
                       fmt::format("{}: a number of {} digits in the regular expression "
                                   "\"{}\" is too large (at most 6 digits)",
                                   name, run, *pattern));
  }
  try {
    c.regex = std::make_shared<const std::regex>(
        *pattern, std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
  } catch (const std::regex_error& e) {
    return ConfigError(
        origin, node,
        fmt::format("{} is not a valid regular expression \"{}\": {}", name, *pattern, e.what()));
  }
  c.texts = {*pattern};
  return OkStatus();
}

// Reads the value of the operator key `name` of a condition onto `c`.
Status ReadOperand(ConditionOp op, const toml::node& node, std::string_view name,
                   std::string_view origin, Condition& c) {
  switch (op) {
    case ConditionOp::kEquals:
      return ReadEquals(node, name, origin, c);
    case ConditionOp::kIn:
      return ReadIn(node, name, origin, c);
    case ConditionOp::kMatches:
      return ReadMatches(node, name, origin, c);
    case ConditionOp::kGte:
    case ConditionOp::kLte:
      if (!node.is_number())
        return ConfigError(origin, node, fmt::format("{} must be a number", name));
      c.number = *node.value<double>();
      return OkStatus();
    case ConditionOp::kExists:
      if (!node.is_boolean())
        return ConfigError(origin, node, fmt::format("{} must be true or false", name));
      c.exists = *node.value<bool>();
      return OkStatus();
  }
  return OkStatus();
}

// Reads the condition keys of a table ({field = "title", matches = "vp"}) onto `c`.
// `field_key` is "trait" for rules over traits, "field" for rules over events.
void BindCondition(SectionReader& r, std::string_view origin, Condition& c, const char* field_key,
                   int& ops) {
  r.String(field_key, c.field);
  auto bind_op = [&](const char* key, ConditionOp op) {
    r.Custom(key, [&c, &ops, op, origin](const toml::node& node, std::string_view name) -> Status {
      ++ops;
      c.op = op;
      return ReadOperand(op, node, name, origin, c);
    });
  };
  bind_op("equals", ConditionOp::kEquals);
  bind_op("in", ConditionOp::kIn);
  bind_op("matches", ConditionOp::kMatches);
  bind_op("gte", ConditionOp::kGte);
  bind_op("lte", ConditionOp::kLte);
  bind_op("exists", ConditionOp::kExists);
}

Status CheckCondition(const Condition& c, int ops, std::string_view origin, const toml::node& at,
                      std::string_view what, const char* field_key) {
  if (c.field.empty()) {
    return ConfigError(origin, at,
                       fmt::format("{} needs {} (the dotted name it tests)", what, field_key));
  }
  if (ops != 1) {
    return ConfigError(origin, at,
                       fmt::format("{} needs exactly one of equals, in, matches, gte, lte, exists "
                                   "(has {})",
                                   what, ops));
  }
  return OkStatus();
}

// Reads a list of inline condition tables, e.g. where = [{field = "…", equals = "…"}].
Status ReadConditionList(const toml::node& node, std::string_view origin, std::string_view name,
                         const char* field_key, std::vector<Condition>& out) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    return ConfigError(origin, node, fmt::format("{} must be a list of conditions", name));
  }
  for (const toml::node& item : *array) {
    const toml::table* table = item.as_table();
    if (table == nullptr) {
      return ConfigError(
          origin, item,
          fmt::format("{} items must be tables like {{ {} = \"…\", equals = \"…\" }}", name,
                      field_key));
    }
    Condition c;
    int ops = 0;
    SectionReader r(*table, origin, std::string(name));
    BindCondition(r, origin, c, field_key, ops);
    TANDEM_RETURN_IF_ERROR(r.Finish());
    TANDEM_RETURN_IF_ERROR(
        CheckCondition(c, ops, origin, item, fmt::format("a condition in {}", name), field_key));
    out.push_back(std::move(c));
  }
  return OkStatus();
}

// Calls `read` for every table of an array of tables.
Status ForEachTable(const toml::node& node, std::string_view origin, std::string_view name,
                    const std::function<Status(const toml::table&)>& read) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    return ConfigError(origin, node,
                       fmt::format("{} must be an array of tables ([[{}]])", name, name));
  }
  for (const toml::node& item : *array) {
    const toml::table* table = item.as_table();
    if (table == nullptr)
      return ConfigError(origin, item, fmt::format("[[{}]] entries must be tables", name));
    TANDEM_RETURN_IF_ERROR(read(*table));
  }
  return OkStatus();
}

Status CheckUniqueName(std::set<std::string>& seen, const std::string& name,
                       std::string_view origin, const toml::table& table,
                       std::string_view section) {
  if (name.empty())
    return ConfigError(origin, table, fmt::format("every [[{}]] needs a name", section));
  if (!seen.insert(name).second) {
    return ConfigError(origin, table,
                       fmt::format("[[{}]] name \"{}\" is used twice", section, name));
  }
  return OkStatus();
}

}  // namespace

Status ReadScoring(const toml::table& table, std::string_view origin, ScoringConfig& out) {
  SectionReader r(table, origin, "scoring");
  r.Double("half_life_days", out.half_life_days, 0.01, 36500);
  r.Double("mql_fit", out.mql_fit, -1e9, 1e9);
  r.Double("mql_engagement", out.mql_engagement, -1e9, 1e9);
  r.Double("hot_total", out.hot_total, 0, 1e9);
  r.StringList("hand_raise_events", out.hand_raise_events);
  r.StringList("hand_raise_forms", out.hand_raise_forms);
  std::set<std::string> names;
  r.Custom("fit", [&](const toml::node& node, std::string_view name) {
    out.fit.clear();
    return ForEachTable(node, origin, name, [&](const toml::table& t) -> Status {
      FitRule rule;
      int ops = 0;
      SectionReader rr(t, origin, "scoring.fit");
      rr.String("name", rule.name);
      rr.Double("points", rule.points, -1e6, 1e6);
      BindCondition(rr, origin, rule.condition, "trait", ops);
      TANDEM_RETURN_IF_ERROR(rr.Finish());
      TANDEM_RETURN_IF_ERROR(CheckUniqueName(names, rule.name, origin, t, "scoring.fit"));
      TANDEM_RETURN_IF_ERROR(CheckCondition(rule.condition, ops, origin, t,
                                            fmt::format("fit rule \"{}\"", rule.name), "trait"));
      if (!rr.Has("points"))
        return ConfigError(origin, t, fmt::format("fit rule \"{}\" needs points", rule.name));
      out.fit.push_back(std::move(rule));
      return OkStatus();
    });
  });
  r.Custom("engagement", [&](const toml::node& node, std::string_view name) {
    out.engagement.clear();
    return ForEachTable(node, origin, name, [&](const toml::table& t) -> Status {
      EngagementRule rule;
      SectionReader rr(t, origin, "scoring.engagement");
      rr.String("name", rule.name);
      rr.String("type", rule.type, {"track", "page", "screen", "identify", "group", "alias"});
      rr.String("event", rule.event);
      rr.String("path", rule.path);
      rr.Double("points", rule.points, -1e6, 1e6);
      rr.Double("cap_per_day", rule.cap_per_day, 0, 1e9);
      rr.Custom("where", [&](const toml::node& n, std::string_view nm) {
        return ReadConditionList(n, origin, nm, "field", rule.where);
      });
      TANDEM_RETURN_IF_ERROR(rr.Finish());
      TANDEM_RETURN_IF_ERROR(CheckUniqueName(names, rule.name, origin, t, "scoring.engagement"));
      if (!rr.Has("points")) {
        return ConfigError(origin, t,
                           fmt::format("engagement rule \"{}\" needs points", rule.name));
      }
      if (rule.type.empty() && rule.event.empty() && rule.path.empty() && rule.where.empty()) {
        return ConfigError(
            origin, t,
            fmt::format("engagement rule \"{}\" matches every event; give it a type, "
                        "event, path or where",
                        rule.name));
      }
      out.engagement.push_back(std::move(rule));
      return OkStatus();
    });
  });
  TANDEM_RETURN_IF_ERROR(r.Finish());
  if (out.hot_total > 0 && out.hot_total <= out.mql_fit + out.mql_engagement) {
    const toml::node& at = *table.get("hot_total");
    return ConfigError(
        origin, at,
        fmt::format("scoring.hot_total {} overlaps the MQL thresholds: it must be above "
                    "mql_fit + mql_engagement ({} + {})",
                    out.hot_total, out.mql_fit, out.mql_engagement));
  }
  return OkStatus();
}

Status ReadRouting(const toml::table& table, std::string_view origin, RoutingConfig& out) {
  SectionReader r(table, origin, "routing");
  r.Bool("account_match", out.account_match);
  r.String("fallback_team", out.fallback_team);
  std::set<std::string> names;
  r.Custom("rules", [&](const toml::node& node, std::string_view name) {
    return ForEachTable(node, origin, name, [&](const toml::table& t) -> Status {
      RoutingRule rule;
      rule.line = static_cast<int>(t.source().begin.line);
      SectionReader rr(t, origin, "routing.rules");
      rr.String("name", rule.name);
      rr.String("team", rule.team);
      rr.Custom("when", [&](const toml::node& n, std::string_view nm) {
        return ReadConditionList(n, origin, nm, "trait", rule.when);
      });
      TANDEM_RETURN_IF_ERROR(rr.Finish());
      TANDEM_RETURN_IF_ERROR(CheckUniqueName(names, rule.name, origin, t, "routing.rules"));
      if (rule.team.empty()) {
        return ConfigError(origin, t, fmt::format("routing rule \"{}\" needs a team", rule.name));
      }
      out.rules.push_back(std::move(rule));
      return OkStatus();
    });
  });
  TANDEM_RETURN_IF_ERROR(r.Finish());
  if (const toml::node* node = table.get("fallback_team")) {
    out.fallback_line = static_cast<int>(node->source().begin.line);
  }
  return OkStatus();
}

Status ReadWebhooks(const toml::node& node, std::string_view origin,
                    std::vector<WebhookConfig>& out) {
  return ForEachTable(node, origin, "webhooks", [&](const toml::table& t) -> Status {
    WebhookConfig hook;
    SectionReader r(t, origin, "webhooks");
    r.String("url", hook.url);
    r.String("secret", hook.secret);
    r.StringList("events", hook.events);
    TANDEM_RETURN_IF_ERROR(r.Finish());
    if (!hook.url.starts_with("http://") && !hook.url.starts_with("https://")) {
      return ConfigError(
          origin, t,
          fmt::format("webhooks.url \"{}\" must start with http:// or https://", hook.url));
    }
    if (hook.secret.size() < 16) {
      return ConfigError(origin, t,
                         "webhooks.secret must be at least 16 characters (it signs deliveries)");
    }
    for (const std::string& e : hook.events) {
      const auto& known = WebhookEventTypes();
      if (std::find(known.begin(), known.end(), e) == known.end()) {
        return ConfigError(origin, t,
                           fmt::format("webhooks.events: unknown event \"{}\" (known: {})", e,
                                       fmt::join(known, ", ")));
      }
    }
    for (const WebhookConfig& other : out) {
      if (other.url == hook.url)
        return ConfigError(origin, t, fmt::format("webhook {} is listed twice", hook.url));
    }
    out.push_back(std::move(hook));
    return OkStatus();
  });
}

}  // namespace tandem
