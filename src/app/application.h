// Application: one running Tandem server, wired from its configuration.
//
// Owns the store, the group-commit writer, the event pipeline and the HTTP server,
// and stops them in the order that keeps every acknowledged event: stop taking
// requests, answer those in flight, commit what is queued, finish processing.
#pragma once

#include <memory>

#include "app/email_parts.h"
#include "app/inbound_parts.h"
#include "app/rules_sync.h"
#include "config/config.h"
#include "core/clock.h"
#include "http/api_common.h"
#include "http/api_routes.h"
#include "http/auth_routes.h"
#include "http/brief_routes.h"
#include "http/contact_routes.h"
#include "http/csv_exports.h"
#include "http/import_routes.h"
#include "http/ingest_routes.h"
#include "http/router.h"
#include "http/server.h"
#include "http/static_routes.h"
#include "http/user_routes.h"
#include "http/webhook_routes.h"
#include "ingest/event_writer.h"
#include "leads/lead_engine.h"
#include "metrics/metrics.h"
#include "pipeline/event_pipeline.h"
#include "pipeline/sla_scheduler.h"
#include "store/store.h"
#include "webhooks/delivery_worker.h"

namespace tandem {

class Application {
 public:
  // `clock` must outlive the application.
  Application(const Config& config, std::unique_ptr<Store> store, const Clock& clock);
  ~Application();  // Shutdown()s

  // Checks the configuration against the store (teams), rescores leads when the
  // scoring rules changed, starts the pipeline and webhook delivery, and listens.
  // Fails when the configuration names unknown teams or the address cannot be bound.
  Status Start();
  uint16_t port() const { return server_->port(); }
  // The port of /metrics' own listener ([metrics] listen); 0 when there is none.
  uint16_t metrics_port() const { return metrics_server_ ? metrics_server_->port() : 0; }
  // Takes over SIGINT and SIGTERM; call before Start() in the process's own server.
  void WatchSignals() { server_->WatchSignals(); }
  // Blocks until SIGINT or SIGTERM, then shuts down. REQUIRES: WatchSignals().
  void RunUntilSignal();
  // Graceful stop; idempotent.
  void Shutdown();

  Store& store() { return *store_; }
  Metrics& metrics() { return metrics_; }
  EventPipeline& pipeline() { return *pipeline_; }
  const LeadEngine& leads() const { return *engine_; }
  DeliveryWorker& deliveries() { return *deliveries_; }
  SlaScheduler& sla() { return *sla_; }
  EmailParts& email() { return *email_; }
  InboundParts& inbound() { return *inbound_; }
  // The routes the server answers (the authorization matrix test reads them).
  const http::Router& router() const { return router_; }

 private:
  // The parts of the constructor: the lead engine and the background workers; the
  // routes; the listeners.
  void CreateWorkers(const Config& config);
  void RegisterRoutes(const Config& config);
  void CreateServers(const Config& config);
  // Where people open the web app (the port once the server listens), ending in "/".
  std::string WebAddressNow() const;

  const Config config_;
  std::unique_ptr<Store> store_;
  const Clock& clock_;
  Metrics metrics_;
  std::unique_ptr<LeadEngine> engine_;
  std::unique_ptr<RulesWatch> rules_watch_;  // from Start()
  std::unique_ptr<WebhookSender> webhook_sender_;
  std::unique_ptr<DeliveryWorker> deliveries_;
  std::unique_ptr<EventWriter> writer_;
  std::unique_ptr<EventPipeline> pipeline_;
  std::unique_ptr<http::IngestRoutes> ingest_;
  std::string unsubscribe_secret_;  // loaded from the store at Start()
  std::unique_ptr<http::ContactRoutes> contact_;
  std::unique_ptr<http::AuthRoutes> auth_;
  std::unique_ptr<http::StaticRoutes> static_;
  std::unique_ptr<http::BriefRoutes> brief_;
  std::unique_ptr<http::CsvExports> exports_;  // the leads' and reports' CSV files
  std::unique_ptr<http::ApiRoutes> api_;
  std::unique_ptr<http::UserRoutes> users_;
  std::unique_ptr<http::WebhookRoutes> webhooks_;
  std::unique_ptr<EmailParts> email_;
  std::unique_ptr<InboundParts> inbound_;
  std::unique_ptr<http::ImportRoutes> imports_;
  std::unique_ptr<http::ApiRateLimits> api_limits_;
  std::unique_ptr<SlaScheduler> sla_;
  http::Router router_;
  std::unique_ptr<http::HttpServer> server_;
  http::Router metrics_router_;  // /metrics alone, when it has a listener of its own
  std::unique_ptr<http::HttpServer> metrics_server_;
  bool stopped_ = false;
};

}  // namespace tandem
