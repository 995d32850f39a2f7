// Importing leads over HTTP, for marketing, sales managers and admins:
//   POST /api/v1/imports   the body is the CSV file (text/csv, up to 64 MB); the query
//                          says what the file does not: address_source, consent_basis,
//                          consent_wording, mapping (a JSON object column → field), and
//                          dry_run=true to check every row and store none
// Imports run one at a time on a thread of their own, so the HTTP workers stay free;
// two more may wait, and a fourth is answered 429. The rows become events of the import
// source (imports/import_run.h), which the pipeline turns into leads within moments.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "http/router.h"
#include "imports/import_run.h"
#include "store/store.h"

namespace tandem::http {

class ImportRoutes {
 public:
  // `on_stored` runs after an import stored rows (to wake the pipeline). `store` and
  // `clock` must outlive this.
  ImportRoutes(Store& store, const Clock& clock, std::function<void()> on_stored);
  ~ImportRoutes();  // finishes the import running; answers the waiting ones 503
  ImportRoutes(const ImportRoutes&) = delete;
  ImportRoutes& operator=(const ImportRoutes&) = delete;

  void Register(Router& router);

  static constexpr size_t kMaxWaiting = 2;

 private:
  struct Job {
    HttpRequest request;
    UserRecord user;
    ImportOptions options;
    Responder respond;
  };
  void Accept(HttpRequest&& request, Responder respond);
  void Run();
  Response Import(Job& job);

  Store& store_;
  const Clock& clock_;
  const std::function<void()> on_stored_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job> waiting_;  // guarded by mu_
  bool stopping_ = false;    // guarded by mu_
  std::thread thread_;
};

}  // namespace tandem::http
