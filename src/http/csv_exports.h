// CsvExports: the streamed CSV downloads — every lead a list filter matches
// (GET /api/v1/leads?format=csv) and every page of a report (format=csv&all=true).
//
// Each runs on a thread of its own, never an HTTP thread: it authenticates the request,
// checks it, records the export in the audit trail (actor, what, the filter) and only
// then serves the first byte, reading the store a page at a time as the client takes the
// file (http_types.h Responder::Stream). An error before the first byte is a JSON error;
// one after it cuts the connection. When every export thread is busy and a few wait, the
// next request is answered 503 export_busy.
//
// Thread-safe. Stop() (or the destructor) lets the exports already queued finish.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "auth/password_workers.h"
#include "core/clock.h"
#include "http/http_types.h"
#include "store/store.h"

namespace tandem::http {

// What an export serves once its request is checked.
struct CsvDownload {
  std::string name;     // the file's name without the date: "leads", "funnel"
  std::string subject;  // the audit entry's subject: "leads", "reports/funnel"
  std::string detail;   // the audit entry's detail, a JSON object: the filter, no lead's data
  BodyProducer produce;
};

// Checks `request` for `user`: the download, or the error to answer (400, 403, …).
using PrepareCsv = std::function<StatusOr<CsvDownload>(const HttpRequest&, const UserRecord&)>;

class CsvExports {
 public:
  // `store` and `clock` must outlive the exports.
  CsvExports(Store& store, const Clock& clock);
  ~CsvExports();
  CsvExports(const CsvExports&) = delete;
  CsvExports& operator=(const CsvExports&) = delete;

  // Serves `request` on an export thread: authenticated, prepared, audited, streamed as
  // "text/csv; charset=utf-8" with Content-Disposition attachment "<name>-YYYY-MM-DD.csv".
  void Serve(HttpRequest&& request, Responder respond, PrepareCsv prepare);
  void Stop();

 private:
  void Run(const HttpRequest& request, const Responder& respond, const PrepareCsv& prepare);

  Store& store_;
  const Clock& clock_;
  std::unique_ptr<PasswordWorkers> workers_;
};

// The query string's parameters again, encoded alike, in name order, without `drop`:
// the filter an export records ("stage=mql&team=emea").
std::string FilterText(std::string_view query, std::initializer_list<std::string_view> drop);

}  // namespace tandem::http
