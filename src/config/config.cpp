#include "config/config.h"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace tandem {
namespace {

// Reads one TOML table into a config section, rejecting keys nobody reads.
class SectionReader {
 public:
  SectionReader(const toml::table& table, std::string_view origin, std::string section)
      : table_(table), origin_(origin), section_(std::move(section)) {}

  void String(std::string_view key, std::string& out,
              std::initializer_list<std::string_view> allowed = {}) {
    Bind(key, [this, &out, allowed](const toml::node& node, std::string_view name) {
      auto value = node.value<std::string>();
      if (!value) return Fail(node, name, "must be a string");
      if (allowed.size() > 0 &&
          std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        return Fail(node, name, fmt::format("must be one of {} (got \"{}\")", list, *value));
      }
      out = *value;
    });
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

  void Fail(const toml::node& node, std::string_view name, std::string_view problem) {
    if (!status_.ok()) return;
    status_ = InvalidArgument(
        "config_invalid_value",
        fmt::format("{}:{}: {} {}", origin_, node.source().begin.line, name, problem));
  }

  const toml::table& table_;
  std::string_view origin_;
  std::string section_;
  std::map<std::string, Binder> bindings_;
  Status status_;
};

Status ReadServer(const toml::table& t, std::string_view origin, ServerConfig& c) {
  SectionReader r(t, origin, "server");
  r.String("listen", c.listen);
  r.Integer("threads", c.threads, 0, 256);
  r.Bool("trust_proxy", c.trust_proxy);
  r.Integer("read_timeout_ms", c.read_timeout_ms, 100, 3600000);
  r.Integer("idle_timeout_ms", c.idle_timeout_ms, 100, 86400000);
  r.String("public_url", c.public_url);
  r.Integer("shutdown_grace_ms", c.shutdown_grace_ms, 0, 600000);
  return r.Finish();
}

Status ReadStorage(const toml::table& t, std::string_view origin, StorageConfig& c) {
  SectionReader r(t, origin, "storage");
  r.String("url", c.url);
  r.String("sqlite_synchronous", c.sqlite_synchronous, {"full", "normal"});
  return r.Finish();
}

Status ReadIngest(const toml::table& t, std::string_view origin, IngestConfig& c) {
  SectionReader r(t, origin, "ingest");
  r.Integer("queue_max_events", c.queue_max_events, 2500, 100000000);
  r.Integer("commit_max_events", c.commit_max_events, 1, 1000000);
  r.Integer("retry_after_s", c.retry_after_s, 1, 3600);
  return r.Finish();
}

Status ReadLog(const toml::table& t, std::string_view origin, LogConfig& c) {
  SectionReader r(t, origin, "log");
  r.String("level", c.level, {"trace", "debug", "info", "warn", "error"});
  r.String("format", c.format, {"text", "json"});
  return r.Finish();
}

}  // namespace

StatusOr<Config> ParseConfig(std::string_view text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return InvalidArgument(
        "config_syntax", fmt::format("{}:{}: {}", origin, e.source().begin.line, e.description()));
  }
  using Reader = Status (*)(const toml::table&, std::string_view, Config&);
  static const std::map<std::string, Reader, std::less<>> kSections = {
      {"server", [](const toml::table& t, std::string_view o,
                    Config& c) { return ReadServer(t, o, c.server); }},
      {"storage", [](const toml::table& t, std::string_view o,
                     Config& c) { return ReadStorage(t, o, c.storage); }},
      {"ingest", [](const toml::table& t, std::string_view o,
                    Config& c) { return ReadIngest(t, o, c.ingest); }},
      {"log",
       [](const toml::table& t, std::string_view o, Config& c) { return ReadLog(t, o, c.log); }},
  };
  Config config;
  for (auto&& [key, node] : root) {
    auto it = kSections.find(key.str());
    if (it == kSections.end()) {
      return InvalidArgument(
          "config_unknown_key",
          fmt::format("{}:{}: unknown section [{}] (known: server, storage, ingest, log)", origin,
                      key.source().begin.line, key.str()));
    }
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      return InvalidArgument(
          "config_invalid_value",
          fmt::format("{}:{}: [{}] must be a table", origin, node.source().begin.line, key.str()));
    }
    TANDEM_RETURN_IF_ERROR(it->second(*table, origin, config));
  }
  return config;
}

StatusOr<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("config_not_found", fmt::format("cannot read config file {}", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseConfig(buffer.str(), path);
}

}  // namespace tandem
