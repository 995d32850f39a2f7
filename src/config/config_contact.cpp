// Readers of the contact policy and the SLA: [contact] and [sla] of tandem.toml.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <functional>
#include <optional>
#include <span>

#include "auth/role.h"
#include "config/config_rules.h"
#include "config/section_reader.h"
#include "contact/contact_policy.h"
#include "core/stage.h"
#include "core/zones.h"

namespace tandem {
namespace {

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Reads a table whose keys must be names `parse` knows, listed in `names` (named as
// `what` in errors). `read` gets each key, its name and its value.
template <typename Key, typename Read>
Status ForEachKnownKey(const toml::node& node, std::string_view origin, std::string_view name,
                       std::span<const std::string_view> names,
                       std::optional<Key> (*parse)(std::string_view), std::string_view what,
                       const Read& read) {
  const toml::table* table = node.as_table();
  if (table == nullptr) return ConfigError(origin, node, fmt::format("{} must be a table", name));
  for (auto&& [key, value] : *table) {
    std::string k(key.str());
    std::optional<Key> parsed = parse(k);
    if (!parsed) {
      return ConfigError(
          origin, value,
          fmt::format("{}: \"{}\" is not a {} (known: {})", name, k, what, fmt::join(names, ", ")));
    }
    TANDEM_RETURN_IF_ERROR(read(*parsed, k, value));
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

// A list whose items `check` accepts: it answers what is wrong with an item, or nothing.
Status ReadCheckedList(
    const toml::node& node, std::string_view name, std::string_view origin,
    const std::function<std::optional<std::string>(const std::optional<std::string>&)>& check,
    std::vector<std::string>& out) {
  const toml::array* array = node.as_array();
  if (array == nullptr) return ConfigError(origin, node, fmt::format("{} must be a list", name));
  out.clear();
  for (const toml::node& item : *array) {
    auto text = item.value<std::string>();
    if (auto wrong = check(text)) return ConfigError(origin, item, *wrong);
    out.push_back(*text);
  }
  return OkStatus();
}

// A list of the names of an enum, read with `parse`; an item it does not know is an
// error saying `wrong`.
template <typename E>
Status ReadEnumList(const toml::node& node, std::string_view name, std::string_view origin,
                    std::optional<E> (*parse)(std::string_view), const std::string& wrong,
                    std::vector<E>& out) {
  std::vector<std::string> names;
  TANDEM_RETURN_IF_ERROR(ReadCheckedList(
      node, name, origin,
      [&](const std::optional<std::string>& text) -> std::optional<std::string> {
        if (text && parse(*text)) return std::nullopt;
        return wrong;
      },
      names));
  out.clear();
  for (const std::string& text : names) out.push_back(*parse(text));
  return OkStatus();
}

// [contact] hours: a window of the day per channel.
Status ReadContactHours(const toml::node& node, std::string_view name, std::string_view origin,
                        ContactConfig& out) {
  out.hours.clear();
  return ForEachKnownKey(
      node, origin, name, ContactChannelNames(), ParseChannel, "channel",
      [&](Channel key, const std::string& channel, const toml::node& value) -> Status {
        auto text = value.value<std::string>();
        std::optional<int> start, end;
        if (text && text->size() == 11 && (*text)[5] == '-') {
          start = ParseClockMinutes(text->substr(0, 5));
          end = ParseClockMinutes(text->substr(6));
        }
        if (!start || !end || *start >= *end) {
          return ConfigError(origin, value,
                             fmt::format("{}.{} must look like \"08:00-20:00\" (start before "
                                         "end)",
                                         name, channel));
        }
        out.hours[key] = {*start, *end};
        return OkStatus();
      });
}

// [contact] channel_caps: a frequency cap per channel.
Status ReadChannelCaps(const toml::node& node, std::string_view name, std::string_view origin,
                       ContactConfig& out) {
  out.channel_caps.clear();
  return ForEachKnownKey(
      node, origin, name, ContactChannelNames(), ParseChannel, "channel",
      [&](Channel key, const std::string& channel, const toml::node& value) -> Status {
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
        out.channel_caps[key] = c;
        return OkStatus();
      });
}

// [contact] consent: the basis each purpose needs.
Status ReadConsentBasis(const toml::node& node, std::string_view name, std::string_view origin,
                        ContactConfig& out) {
  return ForEachKnownKey(
      node, origin, name, ContactPurposeNames(), ParsePurpose, "purpose",
      [&](Purpose key, const std::string& purpose, const toml::node& value) -> Status {
        auto basis = value.value<std::string>();
        if (!basis || (*basis != "inbound" && *basis != "consent")) {
          return ConfigError(
              origin, value,
              fmt::format("{}.{} must be \"inbound\" or \"consent\"", name, purpose));
        }
        out.consent[key] = *basis;
        return OkStatus();
      });
}

}  // namespace

Status ReadContact(const toml::table& table, std::string_view origin, ContactConfig& out) {
  SectionReader r(table, origin, "contact");
  r.Bool("allow_unknown_timezone", out.allow_unknown_timezone);
  r.Integer("max_touches", out.overall.max, 1, 1000);
  r.Integer("max_touches_days", out.overall.days, 1, 365);
  r.Integer("cooldown_hours", out.cooldown_hours, 0, 24 * 365);
  r.Double("inbound_touch_points", out.inbound_touch_points, 0, 1000);
  r.Custom("closed_stages", [&](const toml::node& node, std::string_view name) {
    return ReadEnumList(node, name, origin, ParseStage,
                        fmt::format("{} items must be lifecycle stages", name), out.closed_stages);
  });
  r.Custom("override_roles", [&](const toml::node& node, std::string_view name) {
    return ReadEnumList(node, name, origin, ParseRole,
                        fmt::format("{} items must be roles (admin, marketing, sales_manager, "
                                    "sales_rep, viewer)",
                                    name),
                        out.override_roles);
  });
  r.Custom("overridable", [&](const toml::node& node, std::string_view name) {
    static const std::vector<std::string> kCanOverride = {
        "not_owner",     "sla_owner_only",        "quiet_hours",  "out_of_office",
        "frequency_cap", "recent_touch_by_other", "stage_closed", "unknown_timezone"};
    return ReadCheckedList(
        node, name, origin,
        [&](const std::optional<std::string>& code) -> std::optional<std::string> {
          if (code && Contains(kCanOverride, *code)) return std::nullopt;
          return fmt::format(
              "{}: \"{}\" cannot be overridden (unsubscribed, do_not_contact and "
              "no_consent never can; choose from {})",
              name, code.value_or("?"), fmt::join(kCanOverride, ", "));
        },
        out.overridable);
  });
  r.Custom("hours", [&](const toml::node& node, std::string_view name) {
    return ReadContactHours(node, name, origin, out);
  });
  r.Custom("channel_caps", [&](const toml::node& node, std::string_view name) {
    return ReadChannelCaps(node, name, origin, out);
  });
  r.Custom("consent", [&](const toml::node& node, std::string_view name) {
    return ReadConsentBasis(node, name, origin, out);
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
