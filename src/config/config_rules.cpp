#include "config/config_rules.h"

#include <algorithm>
#include <functional>
#include <set>

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

// The longest run of decimal digits in `text`.
size_t LongestDigitRun(std::string_view text) {
  size_t longest = 0, run = 0;
  for (char ch : text) {
    run = ch >= '0' && ch <= '9' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
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
      switch (op) {
        case ConditionOp::kEquals:
          if (node.is_number()) {
            c.number_value = true;
            c.number = *node.value<double>();
          } else if (node.is_string()) {
            c.texts = {*node.value<std::string>()};
          } else if (node.is_boolean()) {
            c.texts = {*node.value<bool>() ? "true" : "false"};
          } else {
            return ConfigError(origin, node,
                               fmt::format("{} must be a string, number or boolean", name));
          }
          return OkStatus();
        case ConditionOp::kIn: {
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
              return ConfigError(origin, item,
                                 fmt::format("{} items must be strings or numbers", name));
            }
          }
          return OkStatus();
        }
        case ConditionOp::kMatches: {
          auto pattern = node.value<std::string>();
          if (!pattern || !node.is_string()) {
            return ConfigError(origin, node,
                               fmt::format("{} must be a regular expression string", name));
          }
          // std::regex reads a back-reference or a repeat count into a long without
          // checking for overflow: refuse long numbers before it sees them.
          if (pattern->size() > kMaxRegexBytes || RegexNesting(*pattern) > kMaxRegexNesting) {
            return ConfigError(origin, node,
                               fmt::format("{}: the regular expression is too long or too deeply "
                                           "nested (at most {} bytes and {} levels of groups)",
                                           name, kMaxRegexBytes, kMaxRegexNesting));
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
            return ConfigError(origin, node,
                               fmt::format("{} is not a valid regular expression \"{}\": {}", name,
                                           *pattern, e.what()));
          }
          c.texts = {*pattern};
          return OkStatus();
        }
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

namespace tandem {
namespace {

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Reads a table whose keys must come from `allowed` (named as `what` in errors).
Status ForEachKnownKey(const toml::node& node, std::string_view origin, std::string_view name,
                       const std::vector<std::string>& allowed, std::string_view what,
                       const std::function<Status(const std::string&, const toml::node&)>& read) {
  const toml::table* table = node.as_table();
  if (table == nullptr) return ConfigError(origin, node, fmt::format("{} must be a table", name));
  for (auto&& [key, value] : *table) {
    std::string k(key.str());
    if (!Contains(allowed, k)) {
      return ConfigError(origin, value,
                         fmt::format("{}: \"{}\" is not a {} (known: {})", name, k, what,
                                     fmt::join(allowed, ", ")));
    }
    TANDEM_RETURN_IF_ERROR(read(k, value));
  }
  return OkStatus();
}

StatusOr<SlaTarget> ParseSlaTarget(const toml::node& node, std::string_view origin,
                                   std::string_view name) {
  auto text = node.value<std::string>();
  auto bad = ConfigError(origin, node,
                         fmt::format("{} must be a duration such as \"15m\", \"4h\" or \"1d\" "
                                     "(business days)",
                                     name));
  if (!text || !node.is_string() || text->size() < 2) return bad;
  double amount = 0;
  char unit = text->back();
  try {
    size_t used = 0;
    amount = std::stod(text->substr(0, text->size() - 1), &used);
    if (used != text->size() - 1 || amount <= 0 || amount > 10000) return bad;
  } catch (const std::exception&) {
    return bad;
  }
  SlaTarget target;
  switch (unit) {
    case 'm':
      target.minutes = amount;
      break;
    case 'h':
      target.minutes = amount * 60;
      break;
    case 'd':
      target.days = amount;
      break;
    default:
      return bad;
  }
  return target;
}

}  // namespace

Status ReadContact(const toml::table& table, std::string_view origin, ContactConfig& out) {
  SectionReader r(table, origin, "contact");
  r.Bool("allow_unknown_timezone", out.allow_unknown_timezone);
  r.Integer("max_touches", out.overall.max, 1, 1000);
  r.Integer("max_touches_days", out.overall.days, 1, 365);
  r.Integer("cooldown_hours", out.cooldown_hours, 0, 24 * 365);
  r.Double("inbound_touch_points", out.inbound_touch_points, 0, 1000);
  r.Custom("closed_stages", [&](const toml::node& node, std::string_view name) -> Status {
    const toml::array* array = node.as_array();
    if (array == nullptr) return ConfigError(origin, node, fmt::format("{} must be a list", name));
    out.closed_stages.clear();
    for (const toml::node& item : *array) {
      auto stage = item.value<std::string>();
      if (!stage || !ParseStage(*stage)) {
        return ConfigError(origin, item, fmt::format("{} items must be lifecycle stages", name));
      }
      out.closed_stages.push_back(*stage);
    }
    return OkStatus();
  });
  r.Custom("override_roles", [&](const toml::node& node, std::string_view name) -> Status {
    const toml::array* array = node.as_array();
    if (array == nullptr) return ConfigError(origin, node, fmt::format("{} must be a list", name));
    out.override_roles.clear();
    for (const toml::node& item : *array) {
      auto role = item.value<std::string>();
      if (!role || !IsKnownRole(*role)) {
        return ConfigError(origin, item,
                           fmt::format("{} items must be roles (admin, marketing, sales_manager, "
                                       "sales_rep, viewer)",
                                       name));
      }
      out.override_roles.push_back(*role);
    }
    return OkStatus();
  });
  r.Custom("overridable", [&](const toml::node& node, std::string_view name) -> Status {
    static const std::vector<std::string> kCanOverride = {
        "not_owner",     "sla_owner_only",        "quiet_hours",  "out_of_office",
        "frequency_cap", "recent_touch_by_other", "stage_closed", "unknown_timezone"};
    const toml::array* array = node.as_array();
    if (array == nullptr) return ConfigError(origin, node, fmt::format("{} must be a list", name));
    out.overridable.clear();
    for (const toml::node& item : *array) {
      auto code = item.value<std::string>();
      if (!code || !Contains(kCanOverride, *code)) {
        return ConfigError(
            origin, item,
            fmt::format("{}: \"{}\" cannot be overridden (unsubscribed, do_not_contact and "
                        "no_consent never can; choose from {})",
                        name, code.value_or("?"), fmt::join(kCanOverride, ", ")));
      }
      out.overridable.push_back(*code);
    }
    return OkStatus();
  });
  r.Custom("hours", [&](const toml::node& node, std::string_view name) -> Status {
    out.hours.clear();
    return ForEachKnownKey(node, origin, name, ContactChannels(), "channel",
                           [&](const std::string& channel, const toml::node& value) -> Status {
                             auto text = value.value<std::string>();
                             std::optional<int> start, end;
                             if (text && text->size() == 11 && (*text)[5] == '-') {
                               start = ParseClockMinutes(text->substr(0, 5));
                               end = ParseClockMinutes(text->substr(6));
                             }
                             if (!start || !end || *start >= *end) {
                               return ConfigError(
                                   origin, value,
                                   fmt::format("{}.{} must look like \"08:00-20:00\" (start before "
                                               "end)",
                                               name, channel));
                             }
                             out.hours[channel] = {*start, *end};
                             return OkStatus();
                           });
  });
  r.Custom("channel_caps", [&](const toml::node& node, std::string_view name) -> Status {
    out.channel_caps.clear();
    return ForEachKnownKey(
        node, origin, name, ContactChannels(), "channel",
        [&](const std::string& channel, const toml::node& value) -> Status {
          const toml::table* cap = value.as_table();
          if (cap == nullptr) {
            return ConfigError(origin, value,
                               fmt::format("{}.{} must be {{ max = 1, days = 1 }}", name, channel));
          }
          FrequencyCap c;
          SectionReader cr(*cap, origin, fmt::format("{}.{}", name, channel));
          cr.Integer("max", c.max, 0, 1000);
          cr.Integer("days", c.days, 1, 365);
          TANDEM_RETURN_IF_ERROR(cr.Finish());
          out.channel_caps[channel] = c;
          return OkStatus();
        });
  });
  r.Custom("consent", [&](const toml::node& node, std::string_view name) -> Status {
    return ForEachKnownKey(
        node, origin, name, ContactPurposes(), "purpose",
        [&](const std::string& purpose, const toml::node& value) -> Status {
          auto basis = value.value<std::string>();
          if (!basis || (*basis != "inbound" && *basis != "consent")) {
            return ConfigError(
                origin, value,
                fmt::format("{}.{} must be \"inbound\" or \"consent\"", name, purpose));
          }
          out.consent[purpose] = *basis;
          return OkStatus();
        });
  });
  return r.Finish();
}

Status ReadSla(const toml::table& table, std::string_view origin, SlaConfig& out) {
  SectionReader r(table, origin, "sla");
  for (auto [key, target] : {std::pair<const char*, SlaTarget*>{"hot", &out.hot},
                             {"mql", &out.mql},
                             {"default", &out.other}}) {
    SlaTarget* const slot = target;  // a binding is not captured by older compilers (clang 14)
    r.Custom(key, [slot, origin](const toml::node& node, std::string_view name) -> Status {
      TANDEM_ASSIGN_OR_RETURN(*slot, ParseSlaTarget(node, origin, name));
      return OkStatus();
    });
  }
  r.Double("warning_at", out.warning_at, 0.05, 0.95);
  r.String("on_breach", out.on_breach, {"reassign", "notify"});
  r.Integer("check_interval_s", out.check_interval_s, 1, 3600);
  r.Custom("business_days", [&](const toml::node& node, std::string_view name) -> Status {
    static const std::array<std::string_view, 7> kDays = {"sun", "mon", "tue", "wed",
                                                          "thu", "fri", "sat"};
    const toml::array* array = node.as_array();
    if (array == nullptr || array->empty()) {
      return ConfigError(
          origin, node,
          fmt::format("{} must be a non-empty list such as [\"mon\", \"tue\"]", name));
    }
    out.business_days.fill(false);
    for (const toml::node& item : *array) {
      auto day = item.value<std::string>();
      auto it = day ? std::find(kDays.begin(), kDays.end(), *day) : kDays.end();
      if (it == kDays.end()) {
        return ConfigError(
            origin, item,
            fmt::format("{} items must be sun, mon, tue, wed, thu, fri or sat", name));
      }
      out.business_days[static_cast<size_t>(it - kDays.begin())] = true;
    }
    return OkStatus();
  });
  return r.Finish();
}

}  // namespace tandem
