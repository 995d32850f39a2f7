#include "cli/commands.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <termios.h>
#include <unistd.h>

#include <iostream>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/application.h"
#include "app/open_store.h"
#include "app/rules_sync.h"
#include "app/web_address.h"
#include "auth/passwords.h"
#include "auth/permissions.h"
#include "auth/tokens.h"
#include "brief/brief_input.h"
#include "cli/audit_commands.h"
#include "cli/demo_experiment.h"
#include "cli/demo_story.h"
#include "contact/unsubscribe_token.h"
#include "core/counted.h"
#include "core/ids.h"
#include "core/random.h"
#include "core/time_format.h"
#include "identity/email.h"
#include "ingest/new_source.h"
#include "ingest/segment_message.h"
#include "leads/lead_json.h"
#include "leads/lifecycle.h"
#include "leads/rescore.h"
#include "metrics/metrics.h"
#include "pipeline/event_pipeline.h"
#include "store/store.h"
#include "workload/demo_catalog.h"
#include "workload/workload.h"

namespace tandem::cli {

StatusOr<std::unique_ptr<Store>> OpenConfiguredStore(const Config& config) {
  StoreOptions options;
  options.synchronous_full = config.storage.sqlite_synchronous == "full";
  options.sqlite_mmap_bytes = config.storage.sqlite_mmap_mb << 20;
  return OpenStore(config.storage.url, options);
}

StatusOr<std::unique_ptr<Store>> OpenExistingStore(const Config& config) {
  TANDEM_ASSIGN_OR_RETURN(std::optional<std::string> path, SqlitePathOf(config.storage.url));
  if (path && !std::filesystem::exists(*path)) {
    return NotFound("no_store",
                    fmt::format("there is no store at {} (the --db default is "
                                "sqlite:var/tandem.db); give --db with the store to use, or "
                                "create one with `tandem migrate`, `tandem demo` or `tandem serve`",
                                *path));
  }
  return OpenConfiguredStore(config);
}

namespace {

// Commands that read or change what a store holds: the store must exist. Those that
// start a workspace (serve, migrate, demo, adding a source or a user, a catalog) create it.
StatusOr<std::unique_ptr<Store>> Open(const Config& config) { return OpenExistingStore(config); }

bool KnownTimezone(const std::string& tz) {
  if (tz == "UTC") return true;
  if (tz.empty() || tz.find("..") != std::string::npos || tz.front() == '/') return false;
  return std::filesystem::is_regular_file("/usr/share/zoneinfo/" + tz);
}

StatusOr<std::pair<int, int>> ParseHours(const std::string& text) {
  int h1 = 0, m1 = 0, h2 = 0, m2 = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d:%d-%d:%d%c", &h1, &m1, &h2, &m2, &tail) != 4 || h1 < 0 ||
      h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 || h1 * 60 + m1 >= h2 * 60 + m2) {
    return InvalidArgument("invalid_hours",
                           fmt::format("--hours \"{}\" must be HH:MM-HH:MM with the start first, "
                                       "e.g. 09:00-17:30",
                                       text));
  }
  return std::make_pair(h1 * 60 + m1, h2 * 60 + m2);
}

// Write keys are 24 random bytes, base64url: 32 characters, no ':' (Basic auth safe).

// One prospect of the demo is on vacation now and asked not to be called: the first
// lead still waiting for its owner's first contact.
Status DemoAway(Store& store, const LeadEngine& engine, TimePoint now) {
  LeadQuery query;
  query.stages = {Stage::kMql};
  query.sort = LeadQuery::Sort::kId;
  query.limit = 500;
  query.score_at = now;
  TANDEM_ASSIGN_OR_RETURN(auto leads, store.ListLeads(query));
  TANDEM_ASSIGN_OR_RETURN(auto users, store.ListUsers());
  for (const LeadRecord& lead : leads) {
    if (!lead.owner_id) continue;
    std::optional<UserRecord> owner;
    for (const UserRecord& u : users) {
      if (u.id == *lead.owner_id) owner = u;
    }
    PreferencesChange away;
    away.out_of_office =
        OutOfOfficeInput{now - std::chrono::hours(24), now + std::chrono::hours(24 * 6)};
    away.do_not_contact =
        std::map<std::string, std::string>{{"call", "out-of-office reply: no calls unless urgent"}};
    TANDEM_ASSIGN_OR_RETURN(auto txn, store.BeginLeadTxn());
    TANDEM_RETURN_IF_ERROR(
        engine.UpdatePreferences(*txn, lead.id, Actor{owner}, away, now).status());
    return txn->Commit();
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::optional<int64_t>> FindLead(Store& store, const std::string& lead_or_email) {
  std::optional<int64_t> lead_id;
  if (lead_or_email.find('@') != std::string::npos) {
    TANDEM_ASSIGN_OR_RETURN(
        auto person,
        store.FindPersonByIdentity({IdentityKind::kEmail, NormalizeEmail(lead_or_email)}));
    if (person) {
      TANDEM_ASSIGN_OR_RETURN(lead_id, store.ResolveLeadId(*person));
    }
  } else if (auto id = ParseLeadId(lead_or_email)) {
    TANDEM_ASSIGN_OR_RETURN(lead_id, store.ResolveLeadId(*id));
  }
  if (!lead_id) {
    return NotFound("not_found",
                    fmt::format("no lead \"{}\" (give ld_123 or an email address)", lead_or_email));
  }
  return lead_id;
}

Status Serve(const Config& config) {
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(config));
  SystemClock clock;
  Application app(config, std::move(store), clock);
  app.WatchSignals();
  TANDEM_RETURN_IF_ERROR(app.Start());
  app.RunUntilSignal();
  return OkStatus();
}

Status Migrate(const Config& config) {
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(config));
  TANDEM_ASSIGN_OR_RETURN(int version, store->SchemaVersion());
  std::cout << fmt::format("schema is at version {} ({})\n", version, config.storage.url);
  return OkStatus();
}

Status AddSource(const Config& config, const std::string& name) {
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(config));
  SystemClock clock;
  TANDEM_ASSIGN_OR_RETURN(Source source, tandem::AddSource(*store, name, clock.Now()));
  std::cout << fmt::format("source {} \"{}\" created; send events with this write key:\n",
                           source.id, source.name)
            << source.write_key << "\n";
  return OkStatus();
}

Status ListSources(const Config& config) {
  TANDEM_ASSIGN_OR_RETURN(auto store, Open(config));
  TANDEM_ASSIGN_OR_RETURN(auto sources, store->ListSources());
  if (sources.empty()) std::cout << "no sources yet; add one with `tandem source add NAME`\n";
  for (const auto& s : sources) std::cout << fmt::format("{}\t{}\t{}\n", s.id, s.write_key, s.name);
  return OkStatus();
}

Status AddUser(const Config& config, const NewUser& in) {
  if (in.email.find('@') == std::string::npos) {
    return InvalidArgument("invalid_email",
                           fmt::format("\"{}\" is not an email address", in.email));
  }
  if (in.name.empty()) return InvalidArgument("invalid_name", "--name is required");
  std::optional<Role> role = ParseRole(in.role);
  if (!role) {
    return InvalidArgument("invalid_role",
                           fmt::format("--role \"{}\" must be admin, marketing, sales_manager, "
                                       "sales_rep or viewer",
                                       in.role));
  }
  if (!KnownTimezone(in.timezone)) {
    return InvalidArgument(
        "invalid_timezone",
        fmt::format("--timezone \"{}\" is not a time zone such as Europe/Berlin", in.timezone));
  }
  if (in.capacity < 0 || in.capacity > 100000) {
    return InvalidArgument("invalid_capacity", "--capacity must be from 0 to 100000");
  }
  TANDEM_ASSIGN_OR_RETURN(auto hours, ParseHours(in.hours));
  TANDEM_ASSIGN_OR_RETURN(auto token_days, ParseTokenExpiry(in.token_expires));
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(config));
  SystemClock clock;
  UserRecord user;
  user.email = in.email;
  user.name = in.name;
  user.role = *role;
  user.team = in.team;
  user.timezone = in.timezone;
  user.capacity = in.capacity;
  user.hours_start = hours.first;
  user.hours_end = hours.second;
  user.created_at = user.updated_at = clock.Now();
  TANDEM_ASSIGN_OR_RETURN(UserRecord created, store->CreateUser(user));
  ApiTokenRecord record;
  record.user_id = created.id;
  record.created_at = clock.Now();
  if (token_days) record.expires_at = record.created_at + std::chrono::days(*token_days);
  std::string token = NewApiToken();
  TANDEM_ASSIGN_OR_RETURN(ApiTokenRecord issued,
                          store->CreateApiToken(record, HashApiToken(token)));
  const nlohmann::json added = {{"role", RoleName(created.role)},
                                {"token", fmt::format("tok_{}", issued.id)}};
  TANDEM_RETURN_IF_ERROR(
      AuditCli(*store, audit_action::kUserAdded, UserIdText(created.id), added.dump()));
  std::cout << fmt::format(
                   "user usr_{} {} ({}{}) created; API token{} (shown once):\n", created.id,
                   created.email, RoleName(created.role),
                   created.team.empty() ? "" : ", team " + created.team,
                   record.expires_at ? ", expires " + FormatIsoTime(*record.expires_at) : "")
            << token << "\n";
  return OkStatus();
}

Status ListUsers(const Config& config) {
  TANDEM_ASSIGN_OR_RETURN(auto store, Open(config));
  TANDEM_ASSIGN_OR_RETURN(auto users, store->ListUsers());
  if (users.empty()) std::cout << "no users yet; add one with `tandem user add EMAIL ...`\n";
  for (const auto& u : users) {
    std::cout << fmt::format("usr_{}\t{}\t{}\t{}\t{}\tcapacity {}{}\n", u.id, u.email,
                             RoleName(u.role), u.team.empty() ? "-" : u.team, u.timezone,
                             u.capacity, u.active ? "" : "\tinactive");
  }
  return OkStatus();
}

Status IssueToken(const Config& config, const std::string& email) {
  TANDEM_ASSIGN_OR_RETURN(auto store, Open(config));
  TANDEM_ASSIGN_OR_RETURN(auto user, store->FindUserByEmail(email));
  if (!user) return NotFound("not_found", fmt::format("no user with email {}", email));
  SystemClock clock;
  std::string token = NewApiToken();
  TANDEM_RETURN_IF_ERROR(store->AddApiToken(user->id, HashApiToken(token), clock.Now()));
  TANDEM_RETURN_IF_ERROR(AuditCli(*store, audit_action::kTokenCreated, UserIdText(user->id),
                                  nlohmann::json{{"owner", UserIdText(user->id)}}.dump()));
  std::cout << fmt::format("new API token for {} (shown once):\n", user->email) << token << "\n";
  return OkStatus();
}

Status SetPassword(const Config& config, const std::string& email, bool revoke_tokens) {
  TANDEM_ASSIGN_OR_RETURN(auto store, Open(config));
  TANDEM_ASSIGN_OR_RETURN(auto user, store->FindUserByEmail(email));
  if (!user) return NotFound("not_found", fmt::format("no user with email {}", email));
  const bool terminal = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (terminal) {
    std::cerr << fmt::format("new password for {} (not shown): ", user->email) << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  const bool read = static_cast<bool>(std::getline(std::cin, password));
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!read) return InvalidArgument("no_password", "no password on standard input");
  if (!password.empty() && password.back() == '\r') password.pop_back();
  TANDEM_RETURN_IF_ERROR(CheckPasswordStrength(password, user->email));
  TANDEM_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  TANDEM_RETURN_IF_ERROR(store->SetPassword(user->id, hash));
  nlohmann::json changed = {{"password", "set"}};
  std::cout << fmt::format("password set for {}; their web sessions have ended\n", user->email);
  if (revoke_tokens) {
    TANDEM_ASSIGN_OR_RETURN(int64_t revoked, store->RevokeApiTokens(user->id));
    changed["tokens_revoked"] = revoked;
    std::cout << fmt::format("API tokens of {} revoked: {}\n", user->email, revoked);
  }
  return AuditCli(*store, audit_action::kUserChanged, UserIdText(user->id), changed.dump());
}

Status Rescore(const Config& config) {
  TANDEM_ASSIGN_OR_RETURN(auto store, Open(config));
  SystemClock clock;
  TANDEM_ASSIGN_OR_RETURN(auto in_force,
                          EngineInForce(config, *store, clock.Now(), /*seed=*/true, OwnerBriefFor));
  const LeadEngine& engine = *in_force;
  TANDEM_ASSIGN_OR_RETURN(size_t leads, RescoreAll(*store, engine, clock));
  std::cout << fmt::format("rescored {} under the current scoring rules\n", Counted(leads, "lead"));
  const nlohmann::json detail = {
      {"rules", "scoring"}, {"policy", ScoringPolicyHash(*engine.scoring())}, {"rescored", leads}};
  return AuditCli(*store, audit_action::kRulesChanged, "", detail.dump());
}

Status CheckConfig(const std::string& path, const std::string& db_override) {
  TANDEM_ASSIGN_OR_RETURN(Config config, LoadConfigFile(path));
  if (!db_override.empty()) config.storage.url = db_override;
  std::string_view url = config.storage.url;
  bool store_exists =
      !url.starts_with("sqlite:") ||
      std::filesystem::exists(std::string(url.substr(std::string_view("sqlite:").size())));
  if (store_exists) {
    StoreOptions options;
    options.migrate = false;
    TANDEM_ASSIGN_OR_RETURN(auto store, OpenStore(config.storage.url, options));
    TANDEM_ASSIGN_OR_RETURN(int version, store->SchemaVersion());
    if (version >= 2) {
      TANDEM_ASSIGN_OR_RETURN(auto teams, store->ListTeams());
      TANDEM_RETURN_IF_ERROR(CheckConfigTeams(config, teams));
    }
  }
  std::cout << fmt::format(
      "{}: ok ({} fit rules, {} engagement rules, {} routing rules, {} webhooks{})\n", path,
      config.scoring.fit.size(), config.scoring.engagement.size(), config.routing.rules.size(),
      config.webhooks.size(), store_exists ? "; teams checked against " + config.storage.url : "");
  return OkStatus();
}

namespace {

constexpr const char* kDemoManagerEmail = "maria.manager@demo.tandem";
// How far back the demo's history goes.
constexpr std::chrono::weeks kDemoHistory{6};

// The port `listen` names (8080 when it names none).
uint16_t ListenPort(const ServerConfig& server) {
  const size_t colon = server.listen.rfind(':');
  const int port = colon == std::string::npos ? 0 : std::atoi(server.listen.c_str() + colon + 1);
  return static_cast<uint16_t>(port > 0 && port < 65536 ? port : 8080);
}

// A sales team to route the demo's leads to: a manager and three reps, each with an API
// token and a fresh password, printed once.
// Returns the manager's password, for the sign-in line the demo ends with.
StatusOr<std::string> CreateDemoUsers(Store& store, TimePoint now) {
  struct DemoUser {
    const char* email;
    const char* name;
    Role role;
    const char* timezone;
    int capacity;
  };
  static const DemoUser kUsers[] = {
      {kDemoManagerEmail, "Maria Keller", Role::kSalesManager, "Europe/Berlin", 0},
      {"rafael.rep@demo.tandem", "Rafael Ortiz", Role::kSalesRep, "Europe/Madrid", 150},
      {"sofia.rep@demo.tandem", "Sofia Rossi", Role::kSalesRep, "Europe/Rome", 150},
      {"tom.rep@demo.tandem", "Tom Becker", Role::kSalesRep, "Europe/Berlin", 75},
  };
  std::string manager_password;
  for (const DemoUser& d : kUsers) {
    UserRecord user;
    user.email = d.email;
    user.name = d.name;
    user.role = d.role;
    user.team = "sales";
    user.timezone = d.timezone;
    user.capacity = d.capacity;
    user.created_at = user.updated_at = now;
    TANDEM_ASSIGN_OR_RETURN(UserRecord created, store.CreateUser(user));
    std::string token = NewApiToken();
    TANDEM_RETURN_IF_ERROR(store.AddApiToken(created.id, HashApiToken(token), now));
    // A fresh password per workspace, printed once, for signing in to the web app.
    const std::string password = RandomToken(12);
    TANDEM_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
    TANDEM_RETURN_IF_ERROR(store.SetPassword(created.id, hash));
    std::cout << fmt::format("demo user {} ({}): password {}  API token {}\n", created.email,
                             RoleName(created.role), password, token);
    if (d.role == Role::kSalesManager) manager_password = password;
  }
  return manager_password;
}

// The last lines of the demo: where to open the web app and whom to sign in as.
void PrintSignIn(const Config& config, const std::string& manager_password) {
  std::cout << fmt::format("\nOpen {}app/ once `tandem serve` runs, and sign in as {} ",
                           WebAddress(config.server, ListenPort(config.server)), kDemoManagerEmail);
  if (manager_password.empty()) {
    std::cout << fmt::format(
        "with the password printed when the workspace was created (set a new one with "
        "`tandem --db {} user passwd {}`).\n",
        config.storage.url, kDemoManagerEmail);
  } else {
    std::cout << fmt::format("with the password {} (the reps' passwords are above).\n",
                             manager_password);
  }
}

// A few days of website history ending about `now`, as the demo source's clients sent it
// (a view of the pricing page with the visitor's headline of `experiment`).
StatusOr<std::vector<EventRecord>> DemoHistory(const Source& source, int64_t events,
                                               const Experiment& experiment, TimePoint now) {
  WorkloadGenerator generator(/*seed=*/2026, now - kDemoHistory);
  generator.set_visit_gap(std::chrono::duration_cast<std::chrono::milliseconds>(kDemoHistory) /
                          std::max<int64_t>(events / 4, 1));
  generator.set_identify_rate(0.15);
  SegmentParser parser;
  std::vector<EventRecord> records;
  for (const std::string& message : generator.Messages(static_cast<size_t>(events))) {
    std::string body = WithDemoExposure(experiment, message);
    // Stored as a client would have sent it: with no clock skew, received when sent.
    IngestRequest request{IngestCall::kBatch, {}, now, "203.0.113.7"};
    std::string batch = "{\"batch\":[" + body + "]}";
    request.body = batch;
    auto parsed = parser.Parse(request);
    if (!parsed.ok()) return parsed.status();
    for (auto& r : parsed->events) {
      r.source_id = source.id;
      r.received_at = r.timestamp;
      records.push_back(std::move(r));
    }
  }
  // History ends now: shift it back if the generated visits ran past the present.
  TimePoint last = now;
  for (const auto& r : records) last = std::max(last, r.timestamp);
  for (auto& r : records) {
    r.timestamp -= last - now;
    r.received_at = r.timestamp;
  }
  return records;
}

// A routed lead to look at first: the best-scoring one with an owner.
Status PrintRoutedLead(Store& store, const Config& config, TimePoint now) {
  LeadQuery best;
  best.sort = LeadQuery::Sort::kScore;
  best.limit = 50;
  best.score_at = now;
  TANDEM_ASSIGN_OR_RETURN(auto top, store.ListLeads(best));
  for (const LeadRecord& lead : top) {
    if (!lead.owner_id) continue;
    std::cout << fmt::format("the brief of a routed lead ({}): tandem --db {} brief {}\n",
                             lead.name.empty() ? lead.email : lead.name, config.storage.url,
                             LeadIdText(lead.id));
    break;
  }
  return OkStatus();
}

}  // namespace

Status Demo(const Config& config, int64_t events) {
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(config));
  TANDEM_ASSIGN_OR_RETURN(auto sources, store->ListSources());
  for (const auto& s : sources) {
    if (s.name == kDemoSourceName) {
      std::cout << fmt::format("demo workspace already present in {}; write key:\n{}\n",
                               config.storage.url, s.write_key);
      PrintSignIn(config, "");
      return OkStatus();
    }
  }
  SystemClock clock;
  const TimePoint now = clock.Now();
  TANDEM_ASSIGN_OR_RETURN(Source source, tandem::AddSource(*store, kDemoSourceName, now));
  TANDEM_ASSIGN_OR_RETURN(std::string manager_password, CreateDemoUsers(*store, now));
  // The catalog first, so the briefs of the leads routed below name campaigns and content.
  TANDEM_ASSIGN_OR_RETURN(Catalog catalog, ParseCatalogToml(DemoCatalogToml(), "demo catalog"));
  for (Campaign& c : catalog.campaigns) c.updated_at = now;
  for (ContentAsset& a : catalog.content) a.updated_at = now;
  TANDEM_RETURN_IF_ERROR(store->PutCatalog(catalog, /*replace=*/true));
  TANDEM_ASSIGN_OR_RETURN(Experiment experiment,
                          StartDemoExperiment(*store, now - kDemoHistory - std::chrono::hours(1)));
  TANDEM_ASSIGN_OR_RETURN(std::vector<EventRecord> records,
                          DemoHistory(source, events, experiment, now));
  const size_t event_count = records.size();
  TANDEM_ASSIGN_OR_RETURN(auto in_force,
                          EngineInForce(config, *store, now, /*seed=*/true, OwnerBriefFor));
  const LeadEngine& engine = *in_force;
  TANDEM_RETURN_IF_ERROR(RescoreIfNeeded(*store, engine, clock).status());
  TANDEM_ASSIGN_OR_RETURN(DemoStoryFacts story,
                          PlayDemoStory(*store, engine, std::move(records), now));
  TANDEM_RETURN_IF_ERROR(DemoAway(*store, engine, now));
  const auto leads = store->CountLeads();
  std::cout << fmt::format(
      "demo workspace created in {}: source \"{}\" with {} events over {} weeks, {}; write "
      "key:\n{}\n",
      config.storage.url, source.name, event_count, kDemoHistory / std::chrono::weeks(1),
      Counted(leads.ok() ? *leads : 0, "lead"), source.write_key);
  std::cout << fmt::format(
      "the reps reached {} within the first-contact SLA, {} after a missed deadline (by the rep "
      "it went to next) and {} never; {} won, {} lost, "
      "{} open, {} rejected, {} recycled\n",
      Counted(story.contacted_fast, "lead"), story.contacted_late, story.never_contacted,
      Counted(story.won, "deal"), story.lost, story.open_deals, story.rejected, story.recycled);
  TANDEM_RETURN_IF_ERROR(PrintRoutedLead(*store, config, clock.Now()));
  PrintSignIn(config, manager_password);
  return OkStatus();
}

Status UnsubscribeLink(const Config& config, const std::string& lead_or_email) {
  TANDEM_ASSIGN_OR_RETURN(auto store, Open(config));
  TANDEM_ASSIGN_OR_RETURN(std::optional<int64_t> lead_id, FindLead(*store, lead_or_email));
  TANDEM_ASSIGN_OR_RETURN(auto lead, store->GetLead(*lead_id));
  if (!lead) return NotFound("not_found", fmt::format("no lead {}", LeadIdText(*lead_id)));
  TANDEM_ASSIGN_OR_RETURN(std::string secret, LoadUnsubscribeSecret(*store));
  std::string base = config.server.public_url.empty() ? "http://" + config.server.listen
                                                      : config.server.public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string url = base + "/u/" + MakeUnsubscribeToken(secret, *lead_id);
  std::cout << fmt::format("unsubscribe link for {} ({}); as email headers:\n", lead->email,
                           LeadIdText(*lead_id))
            << fmt::format(
                   "List-Unsubscribe: <{}>\nList-Unsubscribe-Post: "
                   "List-Unsubscribe=One-Click\n",
                   url)
            << url << "\n";
  return OkStatus();
}

Status ImportCatalog(const Config& config, const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return NotFound("not_found", fmt::format("cannot read {}", path));
  std::stringstream text;
  text << file.rdbuf();
  TANDEM_ASSIGN_OR_RETURN(Catalog catalog, ParseCatalogFile(text.str(), path));
  SystemClock clock;
  for (Campaign& c : catalog.campaigns) {
    c.origin = "import";
    c.updated_at = clock.Now();
  }
  for (ContentAsset& a : catalog.content) {
    a.origin = "import";
    a.updated_at = clock.Now();
  }
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(config));
  TANDEM_RETURN_IF_ERROR(store->PutCatalog(catalog, /*replace=*/true));
  std::cout << fmt::format(
      "imported {} and {} from {}\n",
      Counted(static_cast<long long>(catalog.campaigns.size()), "campaign"),
      Counted(static_cast<long long>(catalog.content.size()), "content entry", "content entries"),
      path);
  return OkStatus();
}

Status ListCatalog(const Config& config) {
  TANDEM_ASSIGN_OR_RETURN(auto store, Open(config));
  TANDEM_ASSIGN_OR_RETURN(Catalog catalog, store->LoadCatalog());
  if (catalog.campaigns.empty() && catalog.content.empty()) {
    std::cout << "the catalog is empty; add entries with `tandem catalog import FILE`\n";
  }
  for (const Campaign& c : catalog.campaigns) {
    std::cout << fmt::format("campaign\t{}\tutm_campaign={}\t{}\n", c.key, c.utm_campaign, c.name);
  }
  for (const ContentAsset& a : catalog.content) {
    std::cout << fmt::format("content\t{}\t{}\t{}\n", a.asset_id, a.topic, a.title);
  }
  return OkStatus();
}

Status PrintBrief(const Config& config, const std::string& lead_or_email,
                  const std::string& format) {
  TANDEM_ASSIGN_OR_RETURN(auto store, Open(config));
  TANDEM_ASSIGN_OR_RETURN(std::optional<int64_t> lead_id, FindLead(*store, lead_or_email));
  TANDEM_ASSIGN_OR_RETURN(auto lead, store->GetLead(*lead_id));
  if (!lead) return NotFound("not_found", fmt::format("no lead {}", LeadIdText(*lead_id)));
  SystemClock clock;
  TANDEM_ASSIGN_OR_RETURN(
      auto engine, EngineInForce(config, *store, clock.Now(), /*seed=*/false, OwnerBriefFor));
  TANDEM_ASSIGN_OR_RETURN(BriefInput input, BriefInputFor(*engine, *store, *lead, clock.Now()));
  nlohmann::json brief = BuildBrief(input);
  TANDEM_RETURN_IF_ERROR(AuditCli(*store, audit_action::kBriefRead, LeadIdText(*lead_id),
                                  nlohmann::json{{"format", format}}.dump()));
  if (format == "json") {
    std::cout << brief.dump(2) << "\n";
  } else if (format == "html") {
    std::cout << RenderBriefHtml(brief);
  } else {
    std::cout << RenderBriefMarkdown(brief) << "\n";
  }
  return OkStatus();
}

}  // namespace tandem::cli
