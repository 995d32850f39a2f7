#include "catalog/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "catalog/catalog_toml.h"
#include "core/text.h"
#include "core/time_format.h"

namespace tandem {
namespace {

using nlohmann::json;

constexpr size_t kMaxText = 2000;

// Reads the fields of one entry, refusing keys nobody reads and values of the wrong
// type, so a typo in a catalog never silently drops a talking point.
class EntryReader {
 public:
  EntryReader(const json& body, std::string_view where) : body_(body), where_(where) {}

  std::string Text(const char* key, bool required) {
    known_.insert(key);
    auto it = body_.find(key);
    if (it == body_.end() || it->is_null()) {
      if (required) Fail(fmt::format("{} is required", key));
      return "";
    }
    if (!it->is_string()) {
      Fail(fmt::format("{} must be a string", key));
      return "";
    }
    std::string value(TrimSpace(it->get<std::string>()));
    if (required && value.empty()) Fail(fmt::format("{} must not be empty", key));
    if (value.size() > kMaxText)
      Fail(fmt::format("{} is longer than {} characters", key, kMaxText));
    return value;
  }

  std::vector<std::string> TextList(const char* key) {
    known_.insert(key);
    std::vector<std::string> out;
    auto it = body_.find(key);
    if (it == body_.end() || it->is_null()) return out;
    if (!it->is_array()) {
      Fail(fmt::format("{} must be a list of strings", key));
      return out;
    }
    for (const json& item : *it) {
      if (!item.is_string()) {
        Fail(fmt::format("{} must be a list of strings", key));
        return out;
      }
      std::string value(TrimSpace(item.get<std::string>()));
      if (value.size() > kMaxText) {
        Fail(fmt::format("{} has an entry longer than {} characters", key, kMaxText));
      }
      if (!value.empty()) out.push_back(std::move(value));
    }
    return out;
  }

  std::string Date(const char* key) {
    std::string value = Text(key, false);
    if (!value.empty() && (value.size() != 10 || !ParseIsoTime(value))) {
      Fail(fmt::format("{} \"{}\" must be a date like 2026-11-01", key, value));
    }
    return value;
  }

  void Fail(std::string problem) {
    if (status_.ok()) {
      status_ = Unprocessable("invalid_catalog_entry", fmt::format("{}: {}", where_, problem));
    }
  }

  // An unknown field is reported before a missing one: "titel" explains "title".
  Status Finish() {
    if (!body_.is_object()) {
      return Unprocessable("invalid_catalog_entry", fmt::format("{}: must be an object", where_));
    }
    for (auto& [key, value] : body_.items()) {
      if (known_.count(key) == 0 && key != "origin" && key != "updated_at") {
        return Unprocessable("invalid_catalog_entry",
                             fmt::format("{}: unknown field \"{}\" (known: {})", where_, key,
                                         fmt::join(known_, ", ")));
      }
    }
    return status_;
  }

 private:
  const json& body_;
  std::string_view where_;
  std::set<std::string> known_;
  Status status_;
};

json NullIfEmpty(const std::string& s) { return s.empty() ? json() : json(s); }

// TOML values as JSON, so TOML entries go through the same validation as API bodies.
json TomlToJson(const toml::node& node) {
  if (const toml::table* t = node.as_table()) {
    json out = json::object();
    for (auto&& [key, value] : *t) out[std::string(key.str())] = TomlToJson(value);
    return out;
  }
  if (const toml::array* a = node.as_array()) {
    json out = json::array();
    for (const toml::node& item : *a) out.push_back(TomlToJson(item));
    return out;
  }
  if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
  if (node.is_boolean()) return *node.value<bool>();
  if (node.is_integer()) return *node.value<int64_t>();
  if (node.is_floating_point()) return *node.value<double>();
  if (const auto* d = node.as_date()) {
    const toml::date& date = d->get();
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year),
                       static_cast<int>(date.month), static_cast<int>(date.day));
  }
  return nullptr;  // times: rejected by the field readers as "must be a string"
}

Status CheckUnique(const Catalog& catalog, std::string_view origin) {
  std::set<std::string> keys, utms, assets;
  for (const Campaign& c : catalog.campaigns) {
    if (!keys.insert(c.key).second) {
      return Unprocessable("duplicate_catalog_entry",
                           fmt::format("{}: campaign \"{}\" appears twice", origin, c.key));
    }
    if (!utms.insert(LowerAscii(c.utm_campaign)).second) {
      return Unprocessable(
          "duplicate_catalog_entry",
          fmt::format("{}: two campaigns match utm_campaign \"{}\"", origin, c.utm_campaign));
    }
  }
  for (const ContentAsset& a : catalog.content) {
    if (!assets.insert(a.asset_id).second) {
      return Unprocessable("duplicate_catalog_entry",
                           fmt::format("{}: content \"{}\" appears twice", origin, a.asset_id));
    }
  }
  return OkStatus();
}

// Validates one entry of a file and adds it; a bad entry is an error of the file's kind
// (`code`), with the entry's place in the message.
Status AddEntry(Catalog& catalog, bool campaign, const json& body, std::string_view where,
                std::string code) {
  if (campaign) {
    auto c = CampaignFromJson(body, where);
    if (!c.ok()) return InvalidArgument(std::move(code), c.status().message());
    catalog.campaigns.push_back(std::move(*c));
  } else {
    auto a = ContentFromJson(body, where);
    if (!a.ok()) return InvalidArgument(std::move(code), a.status().message());
    catalog.content.push_back(std::move(*a));
  }
  return OkStatus();
}

// One CSV record: fields, and the line it started on.
struct CsvRecord {
  std::vector<std::string> fields;
  size_t line = 0;
};

StatusOr<std::vector<CsvRecord>> SplitCsv(std::string_view text, std::string_view origin) {
  std::vector<CsvRecord> records;
  CsvRecord current;
  std::string field;
  bool quoted = false, field_started = false;
  size_t line = 1;
  current.line = 1;
  auto end_field = [&] {
    current.fields.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_record = [&] {
    end_field();
    bool blank = current.fields.size() == 1 && current.fields[0].empty();
    if (!blank) records.push_back(std::move(current));
    current = CsvRecord{};
    current.line = line;
  };
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a spreadsheet's BOM
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      ++line;
      end_record();
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) {
    return InvalidArgument(
        "invalid_csv", fmt::format("{}:{}: a quoted field is never closed", origin, current.line));
  }
  if (!field.empty() || !current.fields.empty()) end_record();
  return records;
}

}  // namespace

const std::vector<std::string>& FunnelStages() {
  static const std::vector<std::string> kStages = {"awareness", "consideration", "decision"};
  return kStages;
}

const Campaign* Catalog::FindCampaign(std::string_view utm) const {
  if (utm.empty()) return nullptr;
  for (const Campaign& c : campaigns) {
    if (EqualsNoCase(c.utm_campaign, utm)) return &c;
  }
  return nullptr;
}

const ContentAsset* Catalog::MatchContent(std::string_view asset_id, std::string_view title,
                                          std::string_view path) const {
  if (!asset_id.empty()) {
    for (const ContentAsset& a : content) {
      if (EqualsNoCase(a.asset_id, asset_id)) return &a;
    }
  }
  if (!title.empty()) {
    for (const ContentAsset& a : content) {
      if (EqualsNoCase(a.title, title)) return &a;
    }
  }
  if (!path.empty()) {
    for (const ContentAsset& a : content) {
      if (a.url_pattern.empty()) continue;
      // Most paths differ from the pattern before its first wildcard; only those that
      // do not need the glob.
      size_t i = 0;
      const std::string& pattern = a.url_pattern;
      while (i < pattern.size() && i < path.size() && pattern[i] != '*' && pattern[i] != '?' &&
             pattern[i] == path[i]) {
        ++i;
      }
      const bool at_wildcard = i < pattern.size() && (pattern[i] == '*' || pattern[i] == '?');
      if ((at_wildcard || i == pattern.size()) && GlobMatch(pattern, path)) return &a;
    }
  }
  return nullptr;
}

StatusOr<Campaign> CampaignFromJson(const json& body, std::string_view where) {
  EntryReader r(body, where);
  Campaign c;
  if (body.is_object()) {
    c.key = r.Text("key", false);
    c.name = r.Text("name", true);
    c.utm_campaign = r.Text("utm_campaign", true);
    c.persona = r.Text("persona", false);
    c.key_message = r.Text("key_message", false);
    c.offer = r.Text("offer", false);
    c.starts_on = r.Date("starts_on");
    c.ends_on = r.Date("ends_on");
  }
  TANDEM_RETURN_IF_ERROR(r.Finish());
  if (c.key.empty()) c.key = c.utm_campaign;
  if (!c.starts_on.empty() && !c.ends_on.empty() && c.ends_on < c.starts_on) {
    return Unprocessable(
        "invalid_catalog_entry",
        fmt::format("{}: ends_on {} is before starts_on {}", where, c.ends_on, c.starts_on));
  }
  if (c.persona.empty() && c.key_message.empty() && c.offer.empty()) {
    return Unprocessable("invalid_catalog_entry",
                         fmt::format("{}: give at least one of persona, key_message, offer (what "
                                     "sales should know about the campaign)",
                                     where));
  }
  return c;
}

StatusOr<ContentAsset> ContentFromJson(const json& body, std::string_view where) {
  EntryReader r(body, where);
  ContentAsset a;
  if (body.is_object()) {
    a.asset_id = r.Text("asset_id", true);
    a.title = r.Text("title", true);
    a.url_pattern = r.Text("url_pattern", false);
    a.topic = r.Text("topic", true);
    a.funnel_stage = r.Text("funnel_stage", false);
    a.problem = r.Text("problem", true);
    a.questions = r.TextList("questions");
  }
  TANDEM_RETURN_IF_ERROR(r.Finish());
  if (!a.funnel_stage.empty() && std::find(FunnelStages().begin(), FunnelStages().end(),
                                           a.funnel_stage) == FunnelStages().end()) {
    return Unprocessable("invalid_catalog_entry",
                         fmt::format("{}: funnel_stage \"{}\" must be one of {}", where,
                                     a.funnel_stage, fmt::join(FunnelStages(), ", ")));
  }
  if (a.questions.size() < 2 || a.questions.size() > 4) {
    return Unprocessable("invalid_catalog_entry",
                         fmt::format("{}: questions must hold 2 to 4 discovery questions (got {})",
                                     where, a.questions.size()));
  }
  if (!a.url_pattern.empty() && a.url_pattern.front() != '/') {
    return Unprocessable("invalid_catalog_entry",
                         fmt::format("{}: url_pattern \"{}\" must be a path starting with /, "
                                     "e.g. /resources/guide*",
                                     where, a.url_pattern));
  }
  return a;
}

json CampaignToJson(const Campaign& c) {
  return {{"key", c.key},
          {"name", c.name},
          {"utm_campaign", c.utm_campaign},
          {"persona", NullIfEmpty(c.persona)},
          {"key_message", NullIfEmpty(c.key_message)},
          {"offer", NullIfEmpty(c.offer)},
          {"starts_on", NullIfEmpty(c.starts_on)},
          {"ends_on", NullIfEmpty(c.ends_on)},
          {"origin", c.origin},
          {"updated_at", FormatIsoTime(c.updated_at)}};
}

json ContentToJson(const ContentAsset& a) {
  return {{"asset_id", a.asset_id},
          {"title", a.title},
          {"url_pattern", NullIfEmpty(a.url_pattern)},
          {"topic", a.topic},
          {"funnel_stage", NullIfEmpty(a.funnel_stage)},
          {"problem", a.problem},
          {"questions", a.questions},
          {"origin", a.origin},
          {"updated_at", FormatIsoTime(a.updated_at)}};
}

StatusOr<Catalog> ReadCatalogTable(const toml::table& root, std::string_view origin) {
  Catalog catalog;
  for (auto&& [key, node] : root) {
    const bool campaigns = key.str() == "campaigns";
    if (!campaigns && key.str() != "content") {
      return InvalidArgument("config_unknown_key",
                             fmt::format("{}:{}: unknown catalog key \"{}\" (known: campaigns, "
                                         "content)",
                                         origin, key.source().begin.line, key.str()));
    }
    const toml::array* entries = node.as_array();
    if (entries == nullptr) {
      return InvalidArgument("config_invalid_value",
                             fmt::format("{}:{}: {} must be an array of tables ([[{}]])", origin,
                                         node.source().begin.line, key.str(), key.str()));
    }
    for (const toml::node& entry : *entries) {
      std::string where = fmt::format("{}:{}: {}", origin, entry.source().begin.line,
                                      campaigns ? "campaign" : "content");
      if (!entry.is_table()) {
        return InvalidArgument("config_invalid_value", where + " must be a table");
      }
      TANDEM_RETURN_IF_ERROR(
          AddEntry(catalog, campaigns, TomlToJson(entry), where, "config_invalid_value"));
    }
  }
  TANDEM_RETURN_IF_ERROR(CheckUnique(catalog, origin));
  return catalog;
}

StatusOr<Catalog> ParseCatalogToml(std::string_view text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return InvalidArgument(
        "invalid_toml", fmt::format("{}:{}: {}", origin, e.source().begin.line, e.description()));
  }
  return ReadCatalogTable(root, origin);
}

StatusOr<Catalog> ParseCatalogCsv(std::string_view text, std::string_view origin) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<CsvRecord> records, SplitCsv(text, origin));
  if (records.empty()) {
    return InvalidArgument("invalid_csv", fmt::format("{}: the file is empty", origin));
  }
  std::vector<std::string> header;
  for (const std::string& name : records[0].fields) header.push_back(LowerAscii(TrimSpace(name)));
  auto has = [&](std::string_view name) {
    return std::find(header.begin(), header.end(), name) != header.end();
  };
  const bool campaigns = has("utm_campaign");
  if (!campaigns && !has("asset_id")) {
    return InvalidArgument("invalid_csv",
                           fmt::format("{}:1: the header names neither utm_campaign (a campaign "
                                       "list) nor asset_id (a content list)",
                                       origin));
  }
  Catalog catalog;
  for (size_t i = 1; i < records.size(); ++i) {
    const CsvRecord& record = records[i];
    std::string where =
        fmt::format("{}:{}: {}", origin, record.line, campaigns ? "campaign" : "content");
    if (record.fields.size() != header.size()) {
      return InvalidArgument("invalid_csv",
                             fmt::format("{} has {} fields, the header has {}", where,
                                         record.fields.size(), header.size()));
    }
    json body = json::object();
    for (size_t f = 0; f < header.size(); ++f) {
      const std::string value(TrimSpace(record.fields[f]));
      if (header[f] == "questions") {
        json questions = json::array();
        size_t start = 0;
        for (;;) {
          size_t bar = value.find('|', start);
          std::string_view q = TrimSpace(std::string_view(value).substr(start, bar - start));
          if (!q.empty()) questions.push_back(std::string(q));
          if (bar == std::string::npos) break;
          start = bar + 1;
        }
        body["questions"] = questions;
      } else if (!value.empty()) {
        body[header[f]] = value;
      }
    }
    TANDEM_RETURN_IF_ERROR(AddEntry(catalog, campaigns, body, where, "invalid_csv"));
  }
  TANDEM_RETURN_IF_ERROR(CheckUnique(catalog, origin));
  return catalog;
}

StatusOr<Catalog> ParseCatalogFile(std::string_view text, std::string_view origin) {
  std::string lower = LowerAscii(origin);
  if (lower.ends_with(".csv")) return ParseCatalogCsv(text, origin);
  if (lower.ends_with(".toml")) return ParseCatalogToml(text, origin);
  return InvalidArgument("invalid_catalog_file",
                         fmt::format("{}: a catalog file must end in .toml or .csv", origin));
}

}  // namespace tandem
