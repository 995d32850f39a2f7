// SectionReader: reads one TOML table of tandem.toml into a config struct, with an
// error naming the file, line and key for every unknown key and every bad value.
#pragma once

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tandem {

// "FILE:LINE: problem" as an invalid-argument Status.
inline Status ConfigError(std::string_view origin, const toml::node& node,
                          std::string_view problem) {
  return InvalidArgument("config_invalid_value",
                         fmt::format("{}:{}: {}", origin, node.source().begin.line, problem));
}

// A TOML document, or an invalid-argument Status naming `origin` and the line.
inline StatusOr<toml::table> ParseTomlText(std::string_view text, std::string_view origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return InvalidArgument(
        "config_syntax", fmt::format("{}:{}: {}", origin, e.source().begin.line, e.description()));
  }
}

// Reads one TOML table into a config section, rejecting keys nobody reads.
class SectionReader {
 public:
  SectionReader(const toml::table& table, std::string_view origin, std::string section)
      : table_(table), origin_(origin), section_(std::move(section)) {}

  void String(std::string_view key, std::string& out,
              std::initializer_list<std::string_view> allowed_list = {}) {
    // Copied: the list's array lives only as long as this call, the binding longer.
    std::vector<std::string> allowed(allowed_list.begin(), allowed_list.end());
    Bind(key, [this, &out, allowed](const toml::node& node, std::string_view name) {
      auto value = node.value<std::string>();
      if (!value || !node.is_string()) return Fail(node, name, "must be a string");
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
        return Fail(
            node, name,
            fmt::format("must be one of {} (got \"{}\")", fmt::join(allowed, ", "), *value));
      }
      out = *value;
    });
  }

  void Double(std::string_view key, double& out, double min, double max) {
    Bind(key, [this, &out, min, max](const toml::node& node, std::string_view name) {
      if (!node.is_number()) return Fail(node, name, "must be a number");
      double value = *node.value<double>();
      if (value < min || value > max) {
        return Fail(node, name, fmt::format("must be between {} and {} (got {})", min, max, value));
      }
      out = value;
    });
  }

  void StringList(std::string_view key, std::vector<std::string>& out) {
    Bind(key, [this, &out](const toml::node& node, std::string_view name) {
      const toml::array* array = node.as_array();
      if (array == nullptr) return Fail(node, name, "must be a list of strings");
      out.clear();
      for (const toml::node& item : *array) {
        auto value = item.value<std::string>();
        if (!value || !item.is_string()) return Fail(item, name, "must be a list of strings");
        out.push_back(*value);
      }
    });
  }

  // A key read by custom code; `read` returns an error naming the problem.
  void Custom(std::string_view key,
              std::function<Status(const toml::node&, std::string_view)> read) {
    Bind(key, [this, read](const toml::node& node, std::string_view name) {
      if (!status_.ok()) return;
      status_ = read(node, name);
    });
  }

  // Whether the table has `key` (to tell "absent" from "default").
  bool Has(std::string_view key) const { return table_.contains(key); }

  void Fail(const toml::node& node, std::string_view name, std::string_view problem) {
    if (!status_.ok()) return;
    status_ = ConfigError(origin_, node, fmt::format("{} {}", name, problem));
  }

  void Bool(std::string_view key, bool& out) {
    Bind(key, [this, &out](const toml::node& node, std::string_view name) {
      auto value = node.value<bool>();
      if (!value || !node.is_boolean()) return Fail(node, name, "must be true or false");
      out = *value;
    });
  }

  template <typename Int>
  void Integer(std::string_view key, Int& out, int64_t min, int64_t max) {
    Bind(key, [this, &out, min, max](const toml::node& node, std::string_view name) {
      if (!node.is_integer()) return Fail(node, name, "must be an integer");
      int64_t value = *node.value<int64_t>();
      if (value < min || value > max) {
        return Fail(node, name, fmt::format("must be between {} and {} (got {})", min, max, value));
      }
      out = static_cast<Int>(value);
    });
  }

  // Applies the bindings; the first problem found wins.
  Status Finish() {
    for (auto&& [key, node] : table_) {
      auto it = bindings_.find(std::string(key.str()));
      if (it == bindings_.end()) {
        std::string known;
        for (auto& [k, _] : bindings_) known += (known.empty() ? "" : ", ") + k;
        return InvalidArgument(
            "config_unknown_key",
            fmt::format("{}:{}: unknown key \"{}\" in [{}] (known keys: {})", origin_,
                        key.source().begin.line, key.str(), section_, known));
      }
      it->second(node, fmt::format("{}.{}", section_, key.str()));
      if (!status_.ok()) return status_;
    }
    return status_;
  }

 private:
  using Binder = std::function<void(const toml::node&, std::string_view)>;

  void Bind(std::string_view key, Binder binder) {
    bindings_.emplace(std::string(key), std::move(binder));
  }

  const toml::table& table_;
  std::string_view origin_;
  std::string section_;
  std::map<std::string, Binder> bindings_;
  Status status_;
};

}  // namespace tandem
