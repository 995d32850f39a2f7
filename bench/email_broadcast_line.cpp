#include "email_broadcast_line.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "app/application.h"
#include "app/open_store.h"
#include "auth/tokens.h"
#include "core/clock.h"
#include "leads/lead_engine.h"
#include "store/sqlite/sqlite_db.h"
#include "support/fixture_http_server.h"
#include "support/http_client.h"
#include "testing/temp_dir.h"

namespace tandem::bench {
namespace {

using nlohmann::json;
using Steady = std::chrono::steady_clock;

// Monday 10:00 UTC: inside every channel's hours in London.
constexpr int64_t kMondayMorningMs = 1795428000000;  // 2026-11-23T10:00:00Z

// Each lead's person (the API finds a lead through it), its marketing consent from the
// newsletter form, and its time zone, for every lead at once.
constexpr const char* kLeadFacts = R"sql(
INSERT INTO persons (id, email, created_at, updated_at)
  SELECT id, email, created_at, updated_at FROM leads;
INSERT INTO consents (lead_id, purpose, status, at, method, form_id, wording, actor)
  SELECT id, 'email_marketing', 'granted', created_at, 'form', 'newsletter',
         'Send me the search marketing guide', 'bench' FROM leads;
INSERT INTO contact_prefs (lead_id, timezone, updated_at)
  SELECT id, 'Europe/London', created_at FROM leads;
)sql";

void Require(bool ok, std::string_view what) {
  if (!ok) throw std::runtime_error(fmt::format("email_bench: {} failed", what));
}

// A marketing email of the usual size: a logo and a hero image, a headline, forty
// paragraphs of copy about the reader, merge fields for the name and company, two
// links; the images and links on `site`.
std::string TemplateHtml(const testing::FixtureHttpServer& site) {
  std::string html = fmt::format(
      "<table width=\"600\"><tr><td><img src=\"{}\" width=\"200\" height=\"50\" alt=\"Acme\">"
      "<img src=\"{}\" width=\"600\" height=\"300\" alt=\"The guide's cover\">",
      site.Url("/image.png?w=400&h=100"), site.Url("/image.png?w=1200&h=600"));
  html +=
      "<h1>{{lead.first_name | Hello}}, your guide is ready</h1>"
      "<p>Hi {{lead.first_name | there}}, you asked how {{company.name | your team}} can "
      "measure what a click becomes.</p>\n";
  for (int p = 0; p < 40; ++p) {
    html +=
        "<p>Your search marketing rewards you when you measure what your click becomes: your "
        "lead, your meeting, your opportunity. Your guide shows you how, step by step.</p>\n";
  }
  html += fmt::format(
      "<p><a href=\"{}\">Read your guide</a> or <a href=\"{}\">see the webinar</a></p>"
      "</td></tr></table>\n",
      site.Url("/ok"), site.Url("/page.html"));
  return html;
}

}  // namespace

long ProcStatusKb(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(status, line)) {
    if (line.starts_with(prefix)) return std::stol(line.substr(prefix.size()));
  }
  return 0;
}

struct BroadcastLine::State {
  EmailConfig relay;
  size_t recipients = 0;
  testing::TempDir dir;
  testing::FixtureHttpServer site{std::string(TANDEM_SOURCE_DIR) +
                                  "/tests/support/fixture_http_server.py"};
  ManualClock clock{TimePoint(std::chrono::milliseconds(kMondayMorningMs))};
  std::unique_ptr<Application> app;
  std::unique_ptr<testing::HttpClient> client;
  std::string token, broadcast;
  BroadcastRun run;

  json Call(const std::string& method, const std::string& target, const json& body,
            unsigned expect) {
    auto r = client->Request(method, target, body.is_null() ? "" : body.dump(),
                             {{"Authorization", "Bearer " + token}});
    Require(r.status == expect, fmt::format("{} {} ({}: {})", method, target, r.status, r.body));
    return json::parse(r.body);
  }

  // The leads, written in transactions of 50,000, and their persons, consents, zones.
  void WriteLeads(Store& store) {
    const TimePoint now = clock.Now();
    for (size_t done = 0; done < recipients;) {
      auto txn = store.BeginLeadTxn();
      Require(txn.ok(), "BeginLeadTxn");
      for (size_t i = 0; i < 50000 && done < recipients; ++i, ++done) {
        LeadRecord l;
        l.id = static_cast<int64_t>(done + 1);
        l.email = fmt::format("reader{}@bench{}.example", done, done % 5000);
        l.name = fmt::format("Reader {} Smith", done);
        l.stage = Stage::kLead;
        l.created_at = l.updated_at =
            now - std::chrono::hours(24 + static_cast<int64_t>(done % 500));
        Require((*txn)->PutLead(l).ok(), "PutLead");
      }
      Require((*txn)->Commit().ok(), "Commit");
    }
    auto db = sqlite::Database::Open(dir.SqliteUrl().substr(std::string_view("sqlite:").size()));
    Require(db.ok() && (*db)->Exec(kLeadFacts).ok(), "the leads' facts");
  }

  // A marketing user and its API token.
  void AddMarketer(Store& store) {
    UserRecord u;
    u.email = "mk@acme.example";
    u.name = "Marketing";
    u.role = Role::kMarketing;
    u.created_at = u.updated_at = clock.Now();
    auto user = store.CreateUser(u);
    Require(user.ok(), "CreateUser");
    token = NewApiToken();
    Require(store.AddApiToken(user->id, HashApiToken(token), clock.Now()).ok(), "AddApiToken");
  }

  Config AppConfig() const {
    Config config;
    config.server.listen = "127.0.0.1:0";
    config.server.public_url = "https://t.acme.example";
    config.limits.api_per_client_per_minute = 0;
    config.limits.api_per_token_per_minute = 0;
    config.email = relay;
    config.email.from_address = "news@acme.example";
    config.email.from_name = "Acme Marketing";
    config.email.company_name = "Acme";
    config.email.postal_address = "1 Main Street, Springfield";
    config.email.fetch_private_hosts = true;  // the images and links are on this machine
    return config;
  }

  // The template, the filter of every lead, the broadcast, and one recipient's preview.
  void MakeBroadcast() {
    Call("POST", "/api/v1/email-templates",
         {{"key", "guide"},
          {"name", "Guide"},
          {"purpose", "email_marketing"},
          {"layout", "default"},
          {"subject", "{{lead.first_name | Hello}}, your search marketing guide is ready"},
          {"html", TemplateHtml(site)}},
         201);
    json filter = Call("POST", "/api/v1/lead-filters",
                       {{"name", "every lead"}, {"query", "stage=lead"}}, 201);
    json b = Call("POST", "/api/v1/broadcasts",
                  {{"name", "guide"}, {"template", "guide"}, {"filter_id", filter["id"]}}, 201);
    broadcast = b["id"];
    json preview =
        Call("POST", "/api/v1/broadcasts/" + broadcast + "/preview", {{"lead_id", "ld_1"}}, 200);
    run.subject = preview["rendered"]["subject"];
    run.html = preview["rendered"]["html"];
    run.text = preview["rendered"]["text"];
  }
};

BroadcastLine::BroadcastLine(const EmailConfig& relay, size_t recipients)
    : state_(std::make_unique<State>()) {
  state_->relay = relay;
  state_->recipients = recipients;
}

BroadcastLine::~BroadcastLine() {
  if (state_->app) state_->app->Shutdown();
}

BroadcastRun BroadcastLine::Prepare() {
  State& s = *state_;
  auto start = Steady::now();
  auto store = OpenStore(s.dir.SqliteUrl(), StoreOptions{});
  Require(store.ok(), "OpenStore");
  s.WriteLeads(**store);
  s.AddMarketer(**store);
  // The synthetic leads have no score items to recompute; mark them current.
  Require((*store)->PutSetting("scoring_policy", ScoringPolicyHash(DefaultScoring())).ok(),
          "PutSetting");
  s.app = std::make_unique<Application>(s.AppConfig(), std::move(*store), s.clock);
  Require(s.app->Start().ok(), "Application::Start");
  s.client = std::make_unique<testing::HttpClient>(s.app->port());
  s.MakeBroadcast();
  s.run.setup_seconds = std::chrono::duration<double>(Steady::now() - start).count();
  return s.run;
}

BroadcastRun BroadcastLine::RunSequence() {
  State& s = *state_;
  json made = s.Call("POST", "/api/v1/sequences",
                     {{"name", "guide nurture"},
                      {"kind", "nurture"},
                      {"steps", json::array({{{"kind", "email"}, {"template", "guide"}}})}},
                     201);
  const int64_t id = std::stoll(made["id"].get<std::string>().substr(3));
  // Every lead enrolled, its step due: the day's work waiting for the scheduler.
  const TimePoint due = s.clock.Now() + std::chrono::hours(24 * 8);  // a Tuesday, 10:00
  auto db = sqlite::Database::Open(s.dir.SqliteUrl().substr(std::string_view("sqlite:").size()));
  Require(db.ok(), "opening the database");
  Require((*db)
              ->Exec(fmt::format("PRAGMA busy_timeout = 60000; INSERT INTO sequence_enrolments "
                                 "(sequence_id, lead_id, state, next_step, due_at, reason, "
                                 "detail, enrolled_at, updated_at) SELECT {0}, id, 'active', 0, "
                                 "{1}, '', '', {2}, {2} FROM leads",
                                 id, ToUnixMillis(due), ToUnixMillis(s.clock.Now())))
              .ok(),
          "enrolling every lead");
  BroadcastRun run = s.run;
  run.rss_before_kb = run.rss_peak_kb = ProcStatusKb("VmRSS");
  auto start = Steady::now();
  s.clock.Set(due);
  s.app->email().Wake();
  json q;
  for (auto last_poll = Steady::now(); Steady::now() - start < std::chrono::minutes(30);) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    run.rss_peak_kb = std::max(run.rss_peak_kb, ProcStatusKb("VmRSS"));
    if (Steady::now() - last_poll < std::chrono::milliseconds(250)) continue;
    last_poll = Steady::now();
    q = s.Call("GET", "/api/v1/sequences/" + made["id"].get<std::string>(), json(), 200);
    if (q["enrolments"]["finished"].get<size_t>() < s.recipients) continue;
    auto waiting = s.app->store().CountWaitingSendsOf(SendKind::kSequence);
    if (waiting.ok() && *waiting == 0) break;
  }
  run.seconds = std::chrono::duration<double>(Steady::now() - start).count();
  run.hwm_kb = ProcStatusKb("VmHWM");
  run.recipients = q["enrolments"]["finished"].get<size_t>();
  auto counts = s.app->store().CountSends(std::nullopt);
  Require(counts.ok(), "CountSends");
  // Every send so far: the broadcast's and the sequence's.
  run.sent = counts->by_status.contains("sent") ? counts->by_status.at("sent") - s.recipients : 0;
  run.refused = counts->by_status.contains("refused") ? counts->by_status.at("refused") : 0;
  return run;
}

BroadcastRun BroadcastLine::Run() {
  State& s = *state_;
  BroadcastRun run = s.run;
  run.rss_before_kb = run.rss_peak_kb = ProcStatusKb("VmRSS");
  run.anon_before_kb = run.anon_peak_kb = ProcStatusKb("RssAnon");
  run.file_before_kb = run.file_peak_kb = ProcStatusKb("RssFile");
  auto start = Steady::now();
  s.Call("POST", "/api/v1/broadcasts/" + s.broadcast + "/schedule", json::object(), 200);
  json b;
  for (auto last_poll = Steady::now(); Steady::now() - start < std::chrono::minutes(30);) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    run.rss_peak_kb = std::max(run.rss_peak_kb, ProcStatusKb("VmRSS"));
    run.anon_peak_kb = std::max(run.anon_peak_kb, ProcStatusKb("RssAnon"));
    run.file_peak_kb = std::max(run.file_peak_kb, ProcStatusKb("RssFile"));
    if (Steady::now() - last_poll < std::chrono::milliseconds(250)) continue;
    last_poll = Steady::now();
    b = s.Call("GET", "/api/v1/broadcasts/" + s.broadcast, json(), 200);
    if (b["state"] == "done") break;
  }
  run.seconds = std::chrono::duration<double>(Steady::now() - start).count();
  run.hwm_kb = ProcStatusKb("VmHWM");
  Require(b["state"] == "done", fmt::format("the broadcast ({})", b.dump()));
  const json& by_status = b["progress"]["by_status"];
  run.recipients = b["progress"].value("recipients_done", size_t{0});
  run.sent = by_status.value("sent", size_t{0});
  run.refused = by_status.value("refused", size_t{0});
  run.fetches = testing::HttpClient(s.site.port()).Get("/count/image.png").body + " image, " +
                testing::HttpClient(s.site.port()).Get("/count/ok").body + " link";
  if (run.refused > 0) fmt::print("  refused: {}\n", b["progress"]["refused_by_reason"].dump());
  return run;
}

}  // namespace tandem::bench
