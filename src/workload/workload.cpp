#include "workload/workload.h"

#include <fmt/format.h>

#include <array>
#include <functional>
#include <string_view>

#include "core/json_text.h"
#include "core/time_format.h"

namespace tandem {
namespace {

struct Channel {
  int weight;
  std::string_view source, medium, campaign, referrer;
  std::array<std::string_view, 4> terms;  // keywords, for paid search
};

constexpr std::array<Channel, 8> kChannels = {{
    {22,
     "google",
     "cpc",
     "sem-buyers-guide",
     "https://www.google.com/",
     {"lead management software", "lead scoring tool", "crm for small business",
      "sales follow up"}},
    {8,
     "google",
     "cpc",
     "brand-search",
     "https://www.google.com/",
     {"tandem leads", "tandem crm", "", ""}},
    {10, "linkedin", "paid_social", "webinar-speed-to-lead", "https://www.linkedin.com/", {}},
    {5, "twitter", "social", "launch-week", "https://t.co/", {}},
    {9, "newsletter", "email", "nov-newsletter", "", {}},
    {24, "", "", "", "https://www.google.com/", {}},                       // organic search
    {7, "", "", "", "https://www.g2.com/categories/lead-management", {}},  // referral
    {15, "", "", "", "", {}},                                              // direct
}};

struct Page {
  std::string_view path, title;
  std::string_view asset_id, asset_title;  // a gated download on this page, if any
};

constexpr std::array<Page, 9> kPages = {{
    {"/", "Tandem — every lead, one owner, the reason to call", "", ""},
    {"/pricing", "Pricing", "", ""},
    {"/product/routing", "Lead routing", "", ""},
    {"/product/contact-gate", "The contact gate", "", ""},
    {"/blog/speed-to-lead", "Why speed to lead decides the deal", "", ""},
    {"/blog/three-reps-one-lead", "Three reps, one lead, no customer", "", ""},
    {"/resources/sem-buyers-guide", "SEM Buyer's Guide", "sem-buyers-guide", "SEM Buyer's Guide"},
    {"/resources/lead-scoring-playbook", "The Lead Scoring Playbook", "lead-scoring-playbook",
     "The Lead Scoring Playbook"},
    {"/webinars/speed-to-lead", "Webinar: Speed to lead", "webinar-speed-to-lead",
     "Speed to Lead webinar"},
}};

constexpr std::array<std::string_view, 12> kFirst = {"Ada",  "Grace", "Linus", "Maya",
                                                     "Omar", "Priya", "Sofia", "Tom",
                                                     "Wei",  "Lena",  "Jonas", "Aisha"};
constexpr std::array<std::string_view, 12> kLast = {"Lovelace", "Hopper",   "Berg",  "Patel",
                                                    "Haddad",   "Nair",     "Rossi", "Becker",
                                                    "Chen",     "Kowalski", "Meyer", "Okafor"};
struct Company {
  std::string_view name, domain, industry;
  int size;
};
constexpr std::array<Company, 10> kCompanies = {{
    {"Northwind Logistics", "northwind.example", "logistics", 850},
    {"Acme Analytics", "acme-analytics.example", "software", 120},
    {"Globex Health", "globex-health.example", "healthcare", 2400},
    {"Initech", "initech.example", "financial services", 430},
    {"Umbrella Retail", "umbrella-retail.example", "retail", 5200},
    {"Hooli Cloud", "hooli.example", "software", 60},
    {"Stark Manufacturing", "stark-mfg.example", "manufacturing", 1300},
    {"Wayne Media", "wayne-media.example", "media", 300},
    {"Soylent Foods", "soylent.example", "food & beverage", 700},
    {"Vandelay Imports", "vandelay.example", "wholesale", 45},
}};
constexpr std::array<std::string_view, 6> kTitles = {
    "VP Marketing",          "Head of Sales", "Marketing Manager",
    "Sales Operations Lead", "CEO",           "Demand Generation Manager"};
constexpr std::array<std::string_view, 4> kForms = {"whitepaper-download", "newsletter",
                                                    "contact-sales", "demo-request"};

constexpr std::string_view kUserAgent =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 "
    "Safari/537.36";

const Channel& PickChannel(std::mt19937_64& rng) {
  int total = 0;
  for (const auto& c : kChannels) total += c.weight;
  int r = std::uniform_int_distribution<int>(0, total - 1)(rng);
  for (const auto& c : kChannels) {
    if ((r -= c.weight) < 0) return c;
  }
  return kChannels.back();
}

// A campaign visit's Segment "campaign" context (as JSON, after a comma) and its UTM query.
std::pair<std::string, std::string> CampaignParams(const Channel& channel,
                                                   const std::string& term) {
  std::string campaign_json;
  std::string query;
  if (!channel.source.empty()) {
    campaign_json = fmt::format(R"(,"campaign":{{"source":"{}","medium":"{}","name":"{}")",
                                channel.source, channel.medium, channel.campaign);
    query = fmt::format("?utm_source={}&utm_medium={}&utm_campaign={}", channel.source,
                        channel.medium, channel.campaign);
    if (!term.empty()) {
      campaign_json += R"(,"term":)";
      AppendJsonString(campaign_json, term);
      std::string encoded = term;
      for (char& c : encoded) {
        if (c == ' ') c = '+';
      }
      query += "&utm_term=" + encoded;
    }
    campaign_json += "}";
  }
  return {campaign_json, query};
}

// What a visit's messages are written with: the visitor's ids, a message id, the next
// time stamp, the page context, and the generator's random choices.
struct VisitWriter {
  std::function<std::string()> ids;
  std::function<std::string()> message_id;
  std::function<std::string()> stamp;
  std::function<std::string(const Page&, std::string_view, bool)> context;
  std::function<size_t(size_t)> pick;
  std::function<bool(double)> chance;
};

// One to five page views from `landing` on, with content downloads; returns the last
// page's index and leaves `previous_url` at it.
size_t AppendPageViews(std::vector<std::string>& out, const VisitWriter& w, size_t landing,
                       const std::string& query, std::string& previous_url) {
  size_t pages = 1 + w.pick(5);
  size_t current = landing;
  for (size_t i = 0; i < pages; ++i) {
    const Page& page = kPages[current];
    std::string title;
    AppendJsonString(title, page.title);
    out.push_back(fmt::format(
        R"({{"type":"page",{},"messageId":"{}","timestamp":"{}","name":{},"properties":{{"path":"{}","url":"https://www.tandem.example{}{}","referrer":"{}","title":{}}},{}}})",
        w.ids(), w.message_id(), w.stamp(), title, page.path, page.path, i == 0 ? query : "",
        previous_url, title, w.context(page, previous_url, i == 0)));
    previous_url = fmt::format("https://www.tandem.example{}", page.path);
    if (!page.asset_id.empty() && w.chance(0.35)) {
      out.push_back(fmt::format(
          R"({{"type":"track",{},"messageId":"{}","timestamp":"{}","event":"Content Downloaded","properties":{{"asset_id":"{}","title":"{}","path":"{}"}},{}}})",
          w.ids(), w.message_id(), w.stamp(), page.asset_id, page.asset_title, page.path,
          w.context(page, previous_url, false)));
    }
    current = w.pick(kPages.size());
  }
  return current;
}

// The form submission and the identify call that make person `p` known.
void AppendIdentify(std::vector<std::string>& out, const VisitWriter& w, size_t p, const Page& page,
                    const std::string& previous_url) {
  std::string_view first = kFirst[p % kFirst.size()];
  std::string_view last = kLast[(p / kFirst.size()) % kLast.size()];
  const Company& company = kCompanies[(p / (kFirst.size() * kLast.size())) % kCompanies.size()];
  std::string_view title = kTitles[p % kTitles.size()];
  // Past the 1,440 combinations of names and companies, people are told apart by a
  // number ("ada.lovelace2@…").
  const size_t generation = p / (kFirst.size() * kLast.size() * kCompanies.size());
  std::string email = fmt::format("{}.{}{}@{}", first, last,
                                  generation ? std::to_string(generation + 1) : "", company.domain);
  for (char& c : email) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view form = kForms[w.pick(kForms.size())];
  out.push_back(fmt::format(
      R"({{"type":"track",{},"messageId":"{}","timestamp":"{}","event":"Form Submitted","properties":{{"form":"{}","path":"{}"}},{}}})",
      w.ids(), w.message_id(), w.stamp(), form, page.path, w.context(page, previous_url, false)));
  out.push_back(fmt::format(
      R"({{"type":"identify",{},"messageId":"{}","timestamp":"{}","traits":{{"email":"{}","name":"{} {}","first_name":"{}","last_name":"{}","title":"{}","company":{{"name":"{}","domain":"{}","employee_count":{},"industry":"{}"}}}},{}}})",
      w.ids(), w.message_id(), w.stamp(), email, first, last, first, last, title, company.name,
      company.domain, company.size, company.industry, w.context(page, previous_url, false)));
}

}  // namespace

WorkloadGenerator::WorkloadGenerator(uint64_t seed, TimePoint start)
    : rng_(seed), seed_(seed), now_(start) {}

std::string WorkloadGenerator::NextMessageId() {
  return fmt::format("wl-{}-{}", seed_, next_message_++);
}

std::vector<std::string> WorkloadGenerator::NextVisit() {
  std::vector<std::string> out;
  now_ += std::chrono::milliseconds(
      std::uniform_int_distribution<int64_t>(1, 2 * visit_gap_.count())(rng_) / pace_);

  Visitor visitor;
  const bool returning = !returning_.empty() && Chance(0.3);
  if (returning) {
    visitor = returning_[Pick(returning_.size())];
  } else {
    visitor.anonymous_id = fmt::format("anon-{}-{}", seed_, next_message_);
    static_assert(kFirst.size() * kLast.size() * kCompanies.size() == 1440);
    visitor.person = static_cast<int>(Pick(people_));
  }
  const Channel& channel = PickChannel(rng_);
  std::string term;
  if (channel.terms[0].size() > 0) {
    size_t n = 0;
    while (n < channel.terms.size() && !channel.terms[n].empty()) ++n;
    term = std::string(channel.terms[Pick(n)]);
  }
  // Campaign landing pages match their campaign; others land anywhere.
  size_t landing = Pick(kPages.size());
  if (channel.campaign == "sem-buyers-guide") landing = 6;
  if (channel.campaign == "webinar-speed-to-lead") landing = 8;

  const auto [campaign_json, query] = CampaignParams(channel, term);

  auto ids_json = [&] {
    std::string s = fmt::format(R"("anonymousId":"{}")", visitor.anonymous_id);
    if (!visitor.user_id.empty()) s += fmt::format(R"(,"userId":"{}")", visitor.user_id);
    return s;
  };
  // The browser's time zone, as analytics.js reports it; one per person.
  static constexpr std::array<std::string_view, 8> kZones = {
      "Europe/Berlin", "Europe/London", "America/New_York",    "America/Chicago",
      "Europe/Madrid", "Europe/Paris",  "America/Los_Angeles", "Asia/Singapore"};
  const std::string_view zone = kZones[static_cast<size_t>(visitor.person) % kZones.size()];
  auto context_json = [&](const Page& page, std::string_view referrer, bool with_query) {
    return fmt::format(
        R"("context":{{"page":{{"path":"{}","url":"https://www.tandem.example{}{}","referrer":"{}","title":{}}}{},"userAgent":"{}","locale":"en-US","timezone":"{}","library":{{"name":"analytics.js","version":"next-1.70.0"}}}})",
        page.path, page.path, with_query ? query : "", referrer,
        [&] {
          std::string t;
          AppendJsonString(t, page.title);
          return t;
        }(),
        with_query ? campaign_json : "", kUserAgent, zone);
  };
  auto stamp = [&] {
    now_ += std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(5000, 120000)(rng_) /
                                      pace_);
    return FormatIsoTime(now_);
  };

  VisitWriter writer{
      ids_json,     [this] { return NextMessageId(); },   stamp,
      context_json, [this](size_t n) { return Pick(n); }, [this](double p) { return Chance(p); }};
  std::string previous_url(channel.referrer);
  const size_t current = AppendPageViews(out, writer, landing, query, previous_url);
  if (visitor.user_id.empty() && Chance(identify_rate_)) {
    const size_t p = static_cast<size_t>(visitor.person);
    visitor.user_id = fmt::format("user-{}-{}", seed_, p);
    AppendIdentify(out, writer, p, kPages[current], previous_url);
  }
  if (!returning && returning_.size() < 5000) returning_.push_back(visitor);
  if (returning) {
    for (auto& v : returning_) {
      if (v.anonymous_id == visitor.anonymous_id) v = visitor;
    }
  }
  return out;
}

std::vector<std::string> WorkloadGenerator::Messages(size_t count) {
  std::vector<std::string> out;
  out.reserve(count + 16);
  while (out.size() < count) {
    for (auto& m : NextVisit()) out.push_back(std::move(m));
  }
  return out;
}

}  // namespace tandem
