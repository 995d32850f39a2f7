#include "analytics/facts/touchpoint.h"

#include <simdjson.h>

#include "core/text.h"

namespace tandem {
namespace {

constexpr size_t kGroupChars = 256;

namespace od = simdjson::ondemand;

// The fields a touchpoint reads, as the message has them (before the "else" choices).
struct Fields {
  std::string source, medium, campaign_name, campaign_alt, term, content;
  std::string page_path, prop_path, page_url, prop_url, page_referrer, prop_referrer;
  std::string form_name, form_id, asset_id;
};

// Keys compared as they are written: a key spelled with escapes is not one of these.
bool Is(od::raw_json_string key, const char* name) { return key.unsafe_is_equal(name); }

void TakeText(od::value value, std::string& out) {
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) out.assign(text);
}

// Copies the string values of `object`'s fields that `pick` maps to a slot.
template <typename Pick>
bool ReadObject(od::value value, Pick pick) {
  od::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) return true;
  for (auto field : object) {
    od::raw_json_string key;
    if (field.key().get(key) != simdjson::SUCCESS) return false;
    if (std::string* slot = pick(key)) TakeText(field.value(), *slot);
  }
  return true;
}

bool ReadContext(od::value value, Fields& f) {
  od::object context;
  if (value.get_object().get(context) != simdjson::SUCCESS) return true;
  for (auto field : context) {
    od::raw_json_string key;
    if (field.key().get(key) != simdjson::SUCCESS) return false;
    if (Is(key, "page")) {
      if (!ReadObject(field.value(), [&](od::raw_json_string k) -> std::string* {
            return Is(k, "path")       ? &f.page_path
                   : Is(k, "url")      ? &f.page_url
                   : Is(k, "referrer") ? &f.page_referrer
                                       : nullptr;
          })) {
        return false;
      }
    } else if (Is(key, "campaign")) {
      if (!ReadObject(field.value(), [&](od::raw_json_string k) -> std::string* {
            return Is(k, "source")     ? &f.source
                   : Is(k, "medium")   ? &f.medium
                   : Is(k, "name")     ? &f.campaign_name
                   : Is(k, "campaign") ? &f.campaign_alt
                   : Is(k, "term")     ? &f.term
                   : Is(k, "content")  ? &f.content
                                       : nullptr;
          })) {
        return false;
      }
    }
  }
  return true;
}

bool ReadMessage(od::document& doc, Fields& f) {
  od::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) return false;
  for (auto field : root) {
    od::raw_json_string key;
    if (field.key().get(key) != simdjson::SUCCESS) return false;
    if (Is(key, "properties")) {
      if (!ReadObject(field.value(), [&](od::raw_json_string k) -> std::string* {
            return Is(k, "path")       ? &f.prop_path
                   : Is(k, "url")      ? &f.prop_url
                   : Is(k, "referrer") ? &f.prop_referrer
                   : Is(k, "form")     ? &f.form_name
                   : Is(k, "form_id")  ? &f.form_id
                   : Is(k, "asset_id") ? &f.asset_id
                                       : nullptr;
          })) {
        return false;
      }
    } else if (Is(key, "context")) {
      if (!ReadContext(field.value(), f)) return false;
    }
  }
  return true;
}

std::string& FirstOf(std::string& a, std::string& b) { return a.empty() ? b : a; }

}  // namespace

std::string UrlHost(std::string_view url) {
  if (size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    url.remove_prefix(scheme + 3);
  }
  std::string host = LowerAscii(url.substr(0, url.find_first_of("/?#:")));
  if (host.starts_with("www.")) host.erase(0, 4);
  return host;
}

std::optional<Touchpoint> TouchpointOf(const StoredEvent& event) {
  const std::string& type = event.record.type;
  const std::string& payload = event.record.payload;
  const bool page = type == "page", track = type == "track", identify = type == "identify";
  if (!page && !track && !identify) return std::nullopt;
  // Only a form or an asset makes a track call one, only campaign fields an identify.
  if (track && payload.find("\"form") == std::string::npos &&
      payload.find("\"asset_id\"") == std::string::npos) {
    return std::nullopt;
  }
  if (identify && payload.find("\"campaign\"") == std::string::npos) return std::nullopt;

  thread_local od::parser parser;
  thread_local std::string buffer;
  // On-demand parsing reads up to SIMDJSON_PADDING bytes past the text.
  buffer.assign(payload);
  buffer.resize(payload.size() + simdjson::SIMDJSON_PADDING, ' ');
  od::document doc;
  Fields f;
  if (parser.iterate(buffer.data(), payload.size(), buffer.size()).get(doc) != simdjson::SUCCESS ||
      !ReadMessage(doc, f)) {
    return std::nullopt;
  }
  Touchpoint t;
  t.event_id = event.id;
  t.at = event.record.timestamp;
  t.type = type;
  t.source = std::move(f.source);
  t.medium = std::move(f.medium);
  t.campaign = std::move(FirstOf(f.campaign_name, f.campaign_alt));
  t.term = std::move(f.term);
  t.content = std::move(f.content);
  t.landing_page = std::move(FirstOf(f.page_path, f.prop_path));
  t.form = std::move(FirstOf(f.form_name, f.form_id));
  t.content_item = std::move(f.asset_id);
  std::string referrer = UrlHost(FirstOf(f.page_referrer, f.prop_referrer));
  if (!referrer.empty() && referrer != UrlHost(FirstOf(f.page_url, f.prop_url))) {
    t.referrer_domain = std::move(referrer);
  }
  // Each field is a group of the reports, kept in their counts' keys: its first 256
  // characters (at most 1 KB), so no public event can make a key too long to index
  // (PostgreSQL indexes at most 2,704 bytes an entry) or a page's cursor too long for a
  // URL.
  for (std::string* field : {&t.source, &t.medium, &t.campaign, &t.term, &t.content,
                             &t.referrer_domain, &t.landing_page, &t.form, &t.content_item}) {
    field->resize(FirstChars(*field, kGroupChars).size());
  }
  const bool campaign = !t.source.empty() || !t.medium.empty() || !t.campaign.empty() ||
                        !t.term.empty() || !t.content.empty();
  const bool named = !t.form.empty() || !t.content_item.empty();
  if ((page || track) && named) return t;
  if (page && (campaign || !t.referrer_domain.empty())) return t;
  if (identify && campaign) return t;
  return std::nullopt;
}

}  // namespace tandem
