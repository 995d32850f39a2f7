#include "leads/lead_traits.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/time_format.h"
#include "rules/condition.h"

namespace tandem {
namespace {

// Free-mail and consumer ISP domains: an address there says nothing about a company.
constexpr std::array<std::string_view, 58> kFreeMail = {
    "aol.com",        "att.net",       "bigpond.com",  "bk.ru",          "btinternet.com",
    "comcast.net",    "cox.net",       "fastmail.com", "free.fr",        "freenet.de",
    "gmail.com",      "gmx.com",       "gmx.de",       "gmx.net",        "googlemail.com",
    "hey.com",        "hotmail.co.uk", "hotmail.com",  "hotmail.de",     "hotmail.fr",
    "hotmail.it",     "hushmail.com",  "icloud.com",   "inbox.ru",       "laposte.net",
    "libero.it",      "list.ru",       "live.com",     "live.co.uk",     "mac.com",
    "mail.com",       "mail.ru",       "me.com",       "msn.com",        "naver.com",
    "orange.fr",      "outlook.com",   "outlook.de",   "pm.me",          "proton.me",
    "protonmail.com", "qq.com",        "rambler.ru",   "rediffmail.com", "rocketmail.com",
    "sbcglobal.net",  "seznam.cz",     "sky.com",      "t-online.de",    "tutanota.com",
    "verizon.net",    "web.de",        "yahoo.co.uk",  "yahoo.com",      "yahoo.de",
    "yahoo.fr",       "yandex.ru",     "zoho.com",
};

std::string CleanDomain(std::string_view text) {
  std::string host =
      text.find("://") != std::string_view::npos || text.find('/') != std::string_view::npos
          ? HostOf(text)
          : LowerAscii(text);
  if (host.starts_with("www.")) host.erase(0, 4);
  return host;
}

std::string Str(const nlohmann::json& doc, std::string_view path) { return FieldText(doc, path); }

void MoveKey(nlohmann::json& traits, nlohmann::json& company, const char* from, const char* to) {
  auto it = traits.find(from);
  if (it == traits.end()) return;
  if (!company.contains(to) && !it->is_null()) company[to] = *it;
  traits.erase(it);
}

bool IsSearchEngine(std::string_view host) {
  for (std::string_view engine :
       {"google.", "bing.", "duckduckgo.", "yahoo.", "baidu.", "yandex.", "ecosia."}) {
    if (host.find(engine) != std::string_view::npos) return true;
  }
  return false;
}

bool IsSocial(std::string_view host) {
  for (std::string_view site : {"linkedin.", "twitter.", "t.co", "x.com", "facebook.", "instagram.",
                                "youtube.", "reddit."}) {
    if (host.find(site) != std::string_view::npos) return true;
  }
  return false;
}

std::string PathOf(std::string_view url) {
  size_t scheme = url.find("://");
  size_t start = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  if (start == std::string_view::npos) return "/";
  std::string_view path = url.substr(start);
  return std::string(path.substr(0, path.find_first_of("?#")));
}

}  // namespace

std::string HostOf(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#:"));
  std::string host = LowerAscii(url);
  if (host.starts_with("www.")) host.erase(0, 4);
  return host;
}

nlohmann::json NormalizeTraits(const nlohmann::json& traits) {
  if (!traits.is_object()) return nlohmann::json::object();
  nlohmann::json out = traits;
  nlohmann::json company = nlohmann::json::object();
  if (auto it = out.find("company"); it != out.end()) {
    if (it->is_object()) {
      company = *it;
    } else if (it->is_string()) {
      company["name"] = *it;
    }
  }
  MoveKey(out, company, "company_name", "name");
  MoveKey(out, company, "companyName", "name");
  MoveKey(out, company, "website", "domain");
  MoveKey(out, company, "company_domain", "domain");
  MoveKey(out, company, "employees", "size");
  MoveKey(out, company, "company_size", "size");
  MoveKey(out, company, "employee_count", "size");
  MoveKey(out, company, "industry", "industry");
  if (company.contains("website") && !company.contains("domain"))
    company["domain"] = company["website"];
  for (const char* key : {"employees", "employee_count", "number_of_employees"}) {
    if (company.contains(key) && !company.contains("size")) company["size"] = company[key];
  }
  if (auto d = company.find("domain"); d != company.end() && d->is_string()) {
    *d = CleanDomain(d->get<std::string>());
  }
  if (!company.empty()) out["company"] = company;
  if (!out.contains("name")) {
    std::string first =
        Str(out, "firstName").empty() ? Str(out, "first_name") : Str(out, "firstName");
    std::string last = Str(out, "lastName").empty() ? Str(out, "last_name") : Str(out, "lastName");
    std::string name = first + (first.empty() || last.empty() ? "" : " ") + last;
    if (!name.empty()) out["name"] = name;
  }
  if (auto e = out.find("email"); e != out.end() && e->is_string())
    *e = LowerAscii(e->get<std::string>());
  return out;
}

std::vector<std::string> MergeTraits(nlohmann::json& current, const nlohmann::json& incoming) {
  std::vector<std::string> changed;
  if (!current.is_object()) current = nlohmann::json::object();
  for (auto& [key, value] : incoming.items()) {
    if (key == "company" && value.is_object()) {
      nlohmann::json& company = current["company"];
      if (!company.is_object()) company = nlohmann::json::object();
      for (auto& [ckey, cvalue] : value.items()) {
        if (company.contains(ckey) && company[ckey] == cvalue) continue;
        company[ckey] = cvalue;
        changed.push_back("company." + ckey);
      }
      continue;
    }
    if (current.contains(key) && current[key] == value) continue;
    current[key] = value;
    changed.push_back(key);
  }
  return changed;
}

bool IsFreeMailDomain(std::string_view domain) {
  std::string d = LowerAscii(domain);
  return std::find(kFreeMail.begin(), kFreeMail.end(), d) != kFreeMail.end();
}

bool IsHostName(std::string_view host) {
  // RFC 1035: at most 253 characters, labels of 1-63 letters, digits and hyphens that
  // neither start nor end with a hyphen; a company's domain has at least two labels.
  if (host.empty() || host.size() > 253 || host.find('.') == std::string_view::npos) return false;
  size_t start = 0;
  while (start <= host.size()) {
    size_t end = host.find('.', start);
    if (end == std::string_view::npos) end = host.size();
    std::string_view label = host.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    start = end + 1;
  }
  return true;
}

std::string CountryOf(const nlohmann::json& traits) {
  if (!traits.is_object()) return "";
  // The reports group by it: its first 256 characters, as a touchpoint's fields
  // (analytics/facts/touchpoint.cpp).
  constexpr size_t kGroupChars = 256;
  if (auto address = traits.find("address"); address != traits.end() && address->is_object()) {
    if (auto c = address->find("country"); c != address->end() && c->is_string()) {
      return std::string(FirstChars(c->get_ref<const std::string&>(), kGroupChars));
    }
  }
  if (auto c = traits.find("country"); c != traits.end() && c->is_string()) {
    return std::string(FirstChars(c->get_ref<const std::string&>(), kGroupChars));
  }
  return "";
}

std::string CompanySizeBand(const nlohmann::json& traits) {
  if (!traits.is_object()) return "";
  auto company = traits.find("company");
  if (company == traits.end() || !company->is_object()) return "";
  auto size = company->find("size");
  if (size == company->end()) return "";
  constexpr int64_t kHuge = int64_t{1} << 60;
  int64_t n = 0;
  if (size->is_number()) {
    const double d = size->get<double>();
    if (!(d >= 1)) return "";  // below one, or not a number at all
    n = d >= static_cast<double>(kHuge) ? kHuge : static_cast<int64_t>(d);
  } else if (size->is_string()) {
    const std::string& text = size->get_ref<const std::string&>();
    for (char c : text) {
      if (c < '0' || c > '9') break;
      n = n >= kHuge / 10 ? kHuge : n * 10 + (c - '0');
    }
  }
  if (n < 1) return "";
  constexpr std::pair<int64_t, const char*> kBands[] = {
      {10, "1-10"}, {50, "11-50"}, {200, "51-200"}, {1000, "201-1000"}, {5000, "1001-5000"}};
  for (const auto& [upto, band] : kBands) {
    if (n <= upto) return band;
  }
  return "5001+";
}

std::string AccountDomainFor(const nlohmann::json& traits, std::string_view email) {
  // Only a valid host name becomes an account (whose domain is a key): anything else
  // is kept in the traits but makes no account.
  std::string domain = Str(traits, "company.domain");
  if (!domain.empty() && domain.size() <= 2048) {
    domain = CleanDomain(domain);
    if (IsHostName(domain) && !IsFreeMailDomain(domain)) return domain;
  }
  if (email.size() > 254) return "";
  size_t at = email.rfind('@');
  if (at == std::string_view::npos) return "";
  std::string from_email = CleanDomain(email.substr(at + 1));
  return !IsHostName(from_email) || IsFreeMailDomain(from_email) ? "" : from_email;
}

std::optional<Touch> TouchFromMessage(const nlohmann::json& message, TimePoint at, int64_t event_id,
                                      bool first) {
  Touch t;
  t.at = at;
  t.event_id = event_id;
  t.source = Str(message, "context.campaign.source");
  t.medium = Str(message, "context.campaign.medium");
  t.campaign = Str(message, "context.campaign.name");
  if (t.campaign.empty()) t.campaign = Str(message, "context.campaign.campaign");
  t.term = Str(message, "context.campaign.term");
  t.content = Str(message, "context.campaign.content");
  std::string url = Str(message, "context.page.url");
  if (url.empty()) url = Str(message, "properties.url");
  std::string referrer = Str(message, "context.page.referrer");
  if (referrer.empty()) referrer = Str(message, "properties.referrer");
  std::string path = Str(message, "context.page.path");
  if (path.empty()) path = Str(message, "properties.path");
  if (path.empty() && !url.empty()) path = PathOf(url);
  t.landing_page = path;
  std::string referrer_host = HostOf(referrer);
  bool internal = !referrer_host.empty() && referrer_host == HostOf(url);
  if (!internal) t.referrer_domain = referrer_host;
  bool has_campaign = !t.source.empty() || !t.medium.empty() || !t.campaign.empty();
  bool external = !t.referrer_domain.empty();
  if (!has_campaign && !external && !(first && !path.empty())) return std::nullopt;
  if (t.source.empty()) t.source = external ? t.referrer_domain : "direct";
  if (t.medium.empty()) {
    t.medium = !external                           ? "none"
               : IsSearchEngine(t.referrer_domain) ? "organic"
               : IsSocial(t.referrer_domain)       ? "social"
                                                   : "referral";
  }
  return t;
}

nlohmann::json TouchToJson(const Touch& t) {
  auto nullable = [](const std::string& s) {
    return s.empty() ? nlohmann::json() : nlohmann::json(s);
  };
  return {{"source", nullable(t.source)},
          {"medium", nullable(t.medium)},
          {"campaign", nullable(t.campaign)},
          {"term", nullable(t.term)},
          {"content", nullable(t.content)},
          {"referrer_domain", nullable(t.referrer_domain)},
          {"landing_page", nullable(t.landing_page)},
          {"at", FormatIsoTime(t.at)},
          {"event_id", t.event_id}};
}

}  // namespace tandem
