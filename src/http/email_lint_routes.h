// EmailLintRoutes: the pre-send check on its own, POST /api/v1/emails/lint — a subject,
// a preheader and an HTML body in, every finding (code, severity, where, message, fix)
// out. Anyone signed in may call it: it reads and changes nothing.
//
// Images and links are fetched by the shared FetchedResources (its cache serves every
// request); the sender's name and postal address come from [email].
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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
// The check's thresholds that [email] sets (you_focus_min).
email::LintOptions CheckOptions(const EmailConfig& config);

class EmailLintRoutes {
 public:
  // The largest HTML the route checks (413 beyond): four times what Gmail shows unclipped.
  static constexpr size_t kMaxHtmlBytes = 400 * 1024;

  // Everything must outlive the routes. `facts` is shared by concurrent requests.
  EmailLintRoutes(Store& store, const Clock& clock, email::LintContext sender,
                  email::LintOptions options, email::ResourceFacts& facts)
      : store_(store),
        clock_(clock),
        sender_(std::move(sender)),
        options_(options),
        facts_(facts) {}

  void Register(Router& router);

 private:
  Response Lint(const HttpRequest& request);

  Store& store_;
  const Clock& clock_;
  const email::LintContext sender_;
  const email::LintOptions options_;
  email::ResourceFacts& facts_;
};

}  // namespace tandem::http
