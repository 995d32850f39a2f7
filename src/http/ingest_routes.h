// The Segment-compatible ingest endpoints (/v1/track … /v1/batch and the browser
// library's short forms), and the settings document analytics.js loads.
//
// A request is answered 200 only after its events are durable (group commit through
// EventWriter); when the writer's queue is full the answer is 429 with Retry-After.
#pragma once

#include <string>

#include "core/clock.h"
#include "http/router.h"
#include "ingest/event_writer.h"
#include "ingest/segment_message.h"
#include "ingest/source_directory.h"
#include "store/store.h"

namespace tandem {
struct Metrics;
}

namespace tandem::http {

class IngestRoutes {
 public:
  struct Options {
    bool trust_proxy = false;   // take context.ip from X-Forwarded-For
    std::string public_url;     // where clients reach this server; "" = the Host header
    int64_t retry_after_s = 1;  // told to shed clients
    bool respect_dnt = true;    // the website snippet sends nothing under DNT or GPC
    // Event times are kept within it around receivedAt.
    EventTimeWindow time_window;
  };

  // Everything passed in must outlive the routes.
  IngestRoutes(Store& store, EventWriter& writer, Metrics& metrics, const Clock& clock,
               Options options);

  void Register(Router& router);
  // GET /t.js?k=<writeKey>: the website snippet (web/snippet/t.js) for that source.
  void Snippet(HttpRequest&& request, Responder respond);

 private:
  void Ingest(IngestCall call, HttpRequest&& request, Responder respond);
  void Settings(HttpRequest&& request, Responder respond);

  ExperimentStore& experiments_;  // the running web experiments, for the snippet
  EventWriter& writer_;
  Metrics& metrics_;
  const Clock& clock_;
  const Options options_;
  SourceDirectory sources_;
};

// The client's address: the first X-Forwarded-For entry when `trust_proxy`, else the peer.
std::string ClientIp(const HttpRequest& request, bool trust_proxy);

// The write key of "Authorization: Basic base64(key:)"; nullopt when there is no such
// header, "" when the header is malformed.
std::optional<std::string> BasicAuthUser(std::string_view authorization);

}  // namespace tandem::http
