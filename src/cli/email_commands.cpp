#include "cli/email_commands.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "email/composer.h"
#include "email/resource_fetcher.h"
#include "http/email_lint_routes.h"

namespace tandem::cli {
namespace {

// The largest file the check reads: far beyond any email a client shows whole.
constexpr size_t kMaxFileBytes = 16 * 1024 * 1024;

StatusOr<std::string> ReadHtmlFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFound("unreadable_file",
                    fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return InvalidArgument("unreadable_file", fmt::format("cannot read {}", path));
  std::string html = std::move(text).str();
  if (html.size() > kMaxFileBytes) {
    return TooLarge("file_too_large", fmt::format("{} is over {} MB", path, kMaxFileBytes >> 20));
  }
  return html;
}

// "error    image_no_alt  body: image 1 (…)  the image has no alt text — fix: …"
void PrintText(const std::vector<email::Finding>& findings) {
  size_t errors = 0;
  for (const email::Finding& f : findings) {
    if (f.severity == email::Severity::kError) ++errors;
    std::cout << fmt::format("{:<7}  {}  {}  {} — fix: {}\n", email::SeverityName(f.severity),
                             f.code, f.where, f.message, f.fix);
  }
  std::cout << fmt::format("{} error{}, {} warning{}\n", errors, errors == 1 ? "" : "s",
                           findings.size() - errors, findings.size() - errors == 1 ? "" : "s");
}

}  // namespace

CLI::App* AddEmailCommands(CLI::App& app, EmailLintArgs& args) {
  auto* email = app.add_subcommand("email", "Email: check a rendered email before it is sent");
  email->require_subcommand(1);
  auto* lint = email->add_subcommand(
      "lint",
      "Check an email's HTML file: exit 0 when it may be sent, 1 when a finding is an "
      "error, 2 on a usage error or unreadable file");
  lint->add_option("FILE", args.file, "The rendered HTML body")->required();
  lint->add_option("--subject", args.subject, "The subject line")->required();
  lint->add_option("--preheader", args.preheader, "The line inboxes show after the subject");
  lint->add_option("--engaged-content", args.engaged_content,
                   "The title of the content the recipient came for, if any");
  lint->add_flag("--marketing", args.marketing,
                 "A marketing email: the unsubscribe link and [email] postal_address are "
                 "required");
  lint->add_flag("--json", args.json, "Print the API's JSON answer instead of lines");
  return lint;
}

StatusOr<bool> LintEmailFile(const Config& config, const EmailLintArgs& args) {
  TANDEM_ASSIGN_OR_RETURN(std::string html, ReadHtmlFile(args.file));
  email::Draft draft{args.subject, args.preheader, std::move(html), args.marketing};
  email::LintContext context = http::SenderContext(config.email, config.server.public_url);
  if (!args.engaged_content.empty()) context.engaged_content.push_back(args.engaged_content);
  SystemClock clock;
  email::FetchedResources facts(email::FetchedResources::FromConfig(config.email), clock);
  const std::vector<email::Finding> findings =
      email::Lint(draft, context, LintOptionsFor(config.email), &facts);
  if (args.json) {
    std::cout << http::LintAnswer(findings).dump(2) << "\n";
  } else {
    PrintText(findings);
  }
  return !email::HasErrors(findings);
}

}  // namespace tandem::cli
