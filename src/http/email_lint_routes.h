// EmailLintRoutes: the pre-send check on its own, POST /api/v1/emails/lint — a subject,
// a preheader and an HTML body in, every finding (code, severity, where, message, fix)
// out. Anyone signed in may call it: it reads and changes nothing.
//
// Images and links are fetched by the shared FetchedResources (its cache serves every
// request); the sender's name and postal address come from [email]. A check may wait
// for the network for a few seconds, so it runs on a few threads of its own, never on
// an HTTP thread: when they are all busy and a few checks wait, the next is answered
// 503 lint_busy at once.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "auth/password_workers.h"
#include "core/clock.h"
#include "email/email_config.h"
#include "email/lint.h"
#include "http/router.h"
#include "store/store.h"

namespace tandem::http {

// {"ok": no errors, "findings": [{code, severity, where, message, fix}]}: the answer of
// the route, and of `tandem email lint --json`.
nlohmann::json LintAnswer(const std::vector<email::Finding>& findings);

// What the check knows about the sender: [email] company_name and postal_address, and
// the base of the unsubscribe links Tandem writes (`public_url`/u/; "" when unknown).
email::LintContext SenderContext(const EmailConfig& config, const std::string& public_url);

class EmailLintRoutes {
 public:
  // The largest HTML the route checks (413 beyond): four times what Gmail shows unclipped.
  static constexpr size_t kMaxHtmlBytes = 400 * 1024;

  static constexpr int kThreads = 4;            // checks at once
  static constexpr size_t kWaitingChecks = 16;  // more are answered 503 lint_busy

  // Everything must outlive the routes. `facts` is shared by concurrent requests.
  EmailLintRoutes(Store& store, const Clock& clock, email::LintContext sender,
                  email::LintOptions options, email::ResourceFacts& facts);

  void Register(Router& router);
  // Answers the checks already queued, then stops their threads. Call after the HTTP
  // server stopped taking requests. Idempotent.
  void Stop() { workers_->Stop(); }

 private:
  // Parses the request and queues its check; answers at once when it cannot.
  void Lint(const HttpRequest& request, Responder respond);

  Store& store_;
  const Clock& clock_;
  const email::LintContext sender_;
  const email::LintOptions options_;
  email::ResourceFacts& facts_;
  // A bounded pool of threads: the one the sign-in's password checks use, here for checks.
  std::unique_ptr<PasswordWorkers> workers_;
};

}  // namespace tandem::http
