#include "app/application.h"

#include <filesystem>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "analytics/hygiene.h"
#include "app/rules_sync.h"
#include "app/web_address.h"
#include "audit/audit_trail.h"
#include "brief/brief_input.h"
#include "contact/unsubscribe_token.h"
#include "email/staff_mail.h"
#include "http/account_routes.h"
#include "http/audit_routes.h"
#include "http/experiment_routes.h"
#include "http/notification_routes.h"
#include "http/ops_routes.h"
#include "http/person_routes.h"
#include "http/report_routes.h"
#include "http/rule_routes.h"
#include "http/source_routes.h"
#include "ingest/segment_message.h"
#include "leads/rescore.h"
#include "pipeline/brief_backfill.h"

namespace tandem {

Application::Application(const Config& config, std::unique_ptr<Store> store, const Clock& clock)
    : config_(config), store_(std::move(store)), clock_(clock) {
  CreateWorkers(config);
  RegisterRoutes(config);
  CreateServers(config);
}

void Application::CreateWorkers(const Config& config) {
  // The new owner's notice carries the handoff brief.
  engine_ = std::make_unique<LeadEngine>(config.scoring, config.routing, config.webhooks,
                                         config.contact, config.sla, OwnerBriefFor);
  sla_ = std::make_unique<SlaScheduler>(*store_, *engine_, clock_);
  webhook_sender_ = NewCurlWebhookSender(std::chrono::seconds(10));
  deliveries_ = std::make_unique<DeliveryWorker>(*store_, *webhook_sender_, config.webhooks, clock_,
                                                 metrics_);
  writer_ = std::make_unique<EventWriter>(
      *store_, metrics_,
      EventWriter::Options{static_cast<size_t>(config.ingest.queue_max_events),
                           static_cast<size_t>(config.ingest.commit_max_events)});
  EventPipeline::Options pipeline_options;
  pipeline_options.leads = engine_.get();
  pipeline_options.erased_address_secret = &unsubscribe_secret_;  // loaded before it starts
  pipeline_options.audit = store_.get();
  // Where batches run beside each other (PostgreSQL), a second worker keeps the server
  // busy while the first waits for it.
  pipeline_options.workers = store_->concurrent_batches() ? 2 : 1;
  pipeline_options.ingest_busy = [writer = writer_.get()] {
    return writer->Busy(std::chrono::milliseconds(5));
  };
  pipeline_ =
      std::make_unique<EventPipeline>(*store_, clock_, metrics_, std::move(pipeline_options));
  writer_->SetOnCommit([pipeline = pipeline_.get()] { pipeline->Notify(); });
}

namespace {

// Where the web app's files are: server.web_root, else web/ next to the binary.
std::string WebRoot(const ServerConfig& server) {
  if (!server.web_root.empty()) return server.web_root;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : (exe.parent_path() / "web").string();
}

}  // namespace

void Application::RegisterRoutes(const Config& config) {
  http::IngestRoutes::Options ingest_options{config.server.trust_proxy, config.server.public_url,
                                             config.ingest.retry_after_s,
                                             config.tracking.respect_dnt};
  ingest_options.time_window = {std::chrono::seconds(config.ingest.event_max_future_s),
                                std::chrono::days(config.ingest.event_max_age_days)};
  ingest_ = std::make_unique<http::IngestRoutes>(*store_, *writer_, metrics_, clock_,
                                                 std::move(ingest_options));
  ingest_->Register(router_);
  contact_ =
      std::make_unique<http::ContactRoutes>(*store_, *engine_, clock_, unsubscribe_secret_,
                                            http::ContactRoutes::Options{config.server.public_url});
  contact_->Register(router_);
  exports_ = std::make_unique<http::CsvExports>(*store_, clock_);
  http::RegisterReportRoutes(router_, *store_, *engine_, clock_, *exports_);
  http::RegisterExperimentRoutes(router_, *store_, clock_);
  auth_ = std::make_unique<http::AuthRoutes>(
      *store_, clock_,
      http::AuthRoutes::Options{config.auth, config.limits, config.server.public_url,
                                config.server.trust_proxy});
  auth_->Register(router_);
  static_ = std::make_unique<http::StaticRoutes>(WebRoot(config.server), *store_);
  static_->Register(router_);
  brief_ = std::make_unique<http::BriefRoutes>(*store_, *engine_, clock_);
  brief_->Register(router_);
  api_ = std::make_unique<http::ApiRoutes>(*store_, *engine_, clock_, *exports_);
  api_->set_on_event_stored([this] {
    if (pipeline_) pipeline_->Notify();
  });
  api_->Register(router_);
  email_ = std::make_unique<EmailParts>(config, *store_, *engine_, clock_, metrics_,
                                        unsubscribe_secret_);
  email_->Register(router_);
  // Invites and password links go out by email when it is set up.
  users_ = std::make_unique<http::UserRoutes>(
      *store_, clock_, [this] { return WebAddress(config_.server, server_ ? server_->port() : 0); },
      [this](const UserRecord& to, const std::string& subject, const std::string& text) {
        return QueueAccountMail(email_->service(), to, subject, text, clock_.Now());
      });
  users_->Register(router_);
  inbound_ = std::make_unique<InboundParts>(config, *store_, *engine_, clock_);
  inbound_->Register(router_);
  imports_ = std::make_unique<http::ImportRoutes>(*store_, clock_, [this] {
    if (pipeline_) pipeline_->Notify();
  });
  imports_->Register(router_);
  api_limits_ = std::make_unique<http::ApiRateLimits>(
      http::ApiRateLimits::Options{{static_cast<double>(config.limits.api_per_client_per_minute),
                                    static_cast<double>(config.limits.api_per_client_burst)},
                                   {static_cast<double>(config.limits.api_per_token_per_minute),
                                    static_cast<double>(config.limits.api_per_token_burst)},
                                   config.server.trust_proxy},
      clock_);
  router_.AddGuard("/api/v1/", [limits = api_limits_.get()](const http::HttpRequest& request) {
    return limits->Check(request);
  });
  http::RegisterHealthRoute(router_, *store_);
  http::RegisterAuditRoutes(router_, *store_, clock_);
  http::RegisterSourceRoutes(router_, *store_, clock_, [this] { return WebAddressNow(); });
  http::RegisterRuleRoutes(router_, *store_, *engine_, clock_, [this](const RuleVersion& version) {
    return rules_watch_ ? rules_watch_->Apply(version) : OkStatus();
  });
  http::RegisterAccountRoutes(router_, *store_, clock_);
  http::RegisterNotificationRoutes(router_, *store_, clock_);
  webhooks_ = std::make_unique<http::WebhookRoutes>(*store_, clock_, config.webhooks);
  webhooks_->Register(router_);
  http::RegisterPersonRoutes(router_, *store_, *engine_, clock_, unsubscribe_secret_);
  auto hygiene = [this]() -> std::string {
    const TimePoint now = clock_.Now();
    auto report = BuildHygieneReport(*store_, now - std::chrono::hours(24 * 30), now);
    return report.ok() ? HygieneToPrometheus(*report) : "";
  };
  // /metrics on a listener of its own (then not on the main port), or on the main port
  // for a bearer token or, with neither configured, for this machine only.
  http::MetricsAccess metrics_access{config.metrics.token,
                                     /*loopback_only=*/config.metrics.listen.empty()};
  http::Router& metrics_router = config.metrics.listen.empty() ? router_ : metrics_router_;
  http::RegisterMetricsRoute(metrics_router, metrics_, std::move(metrics_access), hygiene);
}

std::string Application::WebAddressNow() const {
  return WebAddress(config_.server, server_ ? server_->port() : 0);
}

void Application::CreateServers(const Config& config) {
  http::HttpServer::Options options;
  options.listen = config.server.listen;
  options.threads = config.server.threads;
  options.read_timeout = std::chrono::milliseconds(config.server.read_timeout_ms);
  options.idle_timeout = std::chrono::milliseconds(config.server.idle_timeout_ms);
  // The largest body is a batch; gzip bodies are checked again once inflated.
  options.body_limit = kMaxBatchBytes;
  options.upload_paths = {"/api/v1/imports"};
  server_ = std::make_unique<http::HttpServer>(options, router_, metrics_);
  if (!config.metrics.listen.empty()) {
    http::HttpServer::Options metrics_options;
    metrics_options.listen = config.metrics.listen;
    metrics_options.threads = 1;
    metrics_options.read_timeout = options.read_timeout;
    metrics_options.idle_timeout = options.idle_timeout;
    metrics_options.body_limit = 1024;  // scrapes are GETs
    metrics_server_ =
        std::make_unique<http::HttpServer>(metrics_options, metrics_router_, metrics_);
  }
}

Application::~Application() { Shutdown(); }

Status Application::Start() {
  TANDEM_ASSIGN_OR_RETURN(auto teams, store_->ListTeams());
  TANDEM_RETURN_IF_ERROR(CheckConfigTeams(config_, teams));
  {
    auto started = std::chrono::steady_clock::now();
    TANDEM_ASSIGN_OR_RETURN(int64_t kept, BackfillBriefEvents(*store_, *store_));
    if (kept > 0) {
      spdlog::info("kept the brief's fields of {} events stitched before this version in {} ms",
                   kept,
                   std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - started)
                       .count());
    }
  }
  // The rules in force: tandem.toml's when it changed, else the newest saved.
  TANDEM_ASSIGN_OR_RETURN(int64_t in_force,
                          PutRulesInForce(*store_, *engine_, config_, clock_.Now(), /*seed=*/true));
  TANDEM_RETURN_IF_ERROR(RescoreIfRulesChanged(*store_, *engine_, clock_).status());
  rules_watch_ = std::make_unique<RulesWatch>(*store_, *engine_, clock_, in_force);
  rules_watch_->Start(std::chrono::seconds(5));
  TANDEM_ASSIGN_OR_RETURN(unsubscribe_secret_, LoadUnsubscribeSecret(*store_));
  if (!config_.catalog.campaigns.empty() || !config_.catalog.content.empty()) {
    // Entries tandem.toml defines are the file's: each start writes them again.
    Catalog entries = config_.catalog;
    for (Campaign& c : entries.campaigns) c.updated_at = clock_.Now();
    for (ContentAsset& a : entries.content) a.updated_at = clock_.Now();
    TANDEM_RETURN_IF_ERROR(store_->PutCatalog(entries, /*replace=*/true));
  }
  deliveries_->Start();
  TANDEM_RETURN_IF_ERROR(email_->Start());
  inbound_->Start();
  sla_->Start(std::chrono::seconds(config_.sla.check_interval_s));
  pipeline_->Start();
  pipeline_->Notify();  // catch up with events stored before a restart
  if (metrics_server_) {
    TANDEM_RETURN_IF_ERROR(metrics_server_->Start());
    spdlog::info("serving /metrics on {} (port {})", config_.metrics.listen,
                 metrics_server_->port());
  }
  TANDEM_RETURN_IF_ERROR(server_->Start());
  spdlog::info("serving on {} (port {}); open {}app/ in a browser", config_.server.listen,
               server_->port(), WebAddress(config_.server, server_->port()));
  return OkStatus();
}

void Application::RunUntilSignal() {
  server_->WaitForSignal();
  Shutdown();
}

void Application::Shutdown() {
  if (stopped_) return;
  stopped_ = true;
  if (metrics_server_) metrics_server_->Shutdown(std::chrono::milliseconds(0));
  server_->Shutdown(std::chrono::milliseconds(config_.server.shutdown_grace_ms));
  auth_->Stop();
  webhooks_->Stop();
  exports_->Stop();
  email_->Stop();
  inbound_->Stop();
  writer_->Stop();
  pipeline_->Stop();
  if (rules_watch_) rules_watch_->Stop();
  sla_->Stop();
  deliveries_->Stop();
  spdlog::info("stopped; {} events stored, {} processed", metrics_.events_stored.Value(),
               metrics_.events_processed.Value());
}

}  // namespace tandem
