#include "email/composer.h"

#include <fmt/format.h>

#include <algorithm>

#include <variant>

#include "email/mime.h"

namespace tandem {
namespace {

std::string DomainOf(std::string_view address) {
  size_t at = address.rfind('@');
  return at == std::string_view::npos ? "" : std::string(address.substr(at + 1));
}

// "html:3:14: message" for each problem.
std::string ProblemList(const std::vector<TemplateProblem>& problems) {
  std::string out;
  for (const TemplateProblem& p : problems) {
    if (!out.empty()) out += "; ";
    out += p.line > 0 ? fmt::format("{}:{}:{}: {}", p.part, p.line, p.column, p.message)
                      : fmt::format("{}: {}", p.part, p.message);
  }
  return out;
}

}  // namespace

EmailTemplate ToEmailTemplate(const StoredTemplate& stored) {
  EmailTemplate t;
  t.key = stored.key;
  t.name = stored.name;
  t.purpose = stored.purpose;
  t.subject = stored.subject;
  t.preheader = stored.preheader;
  t.html = stored.html;
  t.layout = stored.layout;
  return t;
}

Status CheckStoredTemplate(const StoredTemplate& stored) {
  const std::vector<TemplateProblem> problems = CheckTemplate(ToEmailTemplate(stored));
  if (problems.empty()) return OkStatus();
  return Unprocessable("template_invalid", ProblemList(problems));
}

StatusOr<CompiledTemplate> CompileStoredTemplate(const StoredTemplate& stored) {
  auto compiled = CompiledTemplate::Compile(ToEmailTemplate(stored));
  if (auto* problems = std::get_if<std::vector<TemplateProblem>>(&compiled)) {
    return Unprocessable("template_invalid", ProblemList(*problems));
  }
  return std::get<CompiledTemplate>(std::move(compiled));
}

email::LintOptions LintOptionsFor(const EmailConfig& config) {
  email::LintOptions options;
  options.min_you_focus = config.you_focus_min;
  return options;
}

Composition ComposeFor(const EmailConfig& config, const RecipientFacts& facts,
                       const StoredTemplate& source, const CompiledTemplate& compiled,
                       email::ResourceFacts* resources, email::TemplateHtmlFacts* shapes) {
  Composition c;
  c.source = source;
  c.to_address = facts.lead.email;
  c.to_name = facts.lead.name;
  c.unsubscribe_url = facts.unsubscribe_url;
  const email::MergeValues values = MergeValuesFor(facts, config);
  auto rendered = compiled.Render(values);
  if (auto* failure = std::get_if<email::RenderFailure>(&rendered)) {
    c.problems = std::move(failure->problems);
    return c;
  }
  c.rendered = std::get<RenderedEmail>(std::move(rendered));
  email::Draft draft;
  draft.subject = c.rendered->subject;
  draft.preheader = c.rendered->preheader;
  draft.html = c.rendered->html;
  draft.marketing = source.purpose == Purpose::kEmailMarketing;
  const email::HtmlFacts html =
      shapes != nullptr ? shapes->For(values, draft.html) : email::ReadHtml(draft.html);
  c.findings =
      email::Lint(draft, html, LintContextFor(config, facts), LintOptionsFor(config), resources);
  return c;
}

bool Composition::Blocked() const {
  return !rendered || !problems.empty() || email::HasErrors(findings) || !compliance.empty();
}

std::vector<std::string> Composition::BlockingCodes() const {
  std::vector<std::string> codes;
  auto add = [&](const std::string& code) {
    if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(code);
  };
  for (const TemplateProblem& p : problems) add(p.code);
  for (const email::Finding& f : findings) {
    if (f.severity == email::Severity::kError) add(f.code);
  }
  for (const ContactReason& r : compliance) add(r.code);
  return codes;
}

std::string MessageIdFor(const EmailConfig& config) {
  std::string domain = config.message_id_domain;
  if (domain.empty()) domain = DomainOf(config.from_address);
  if (domain.empty()) domain = "tandem.invalid";
  return email::NewMessageId(domain);
}

email::LintContext LintContextFor(const EmailConfig& config, const RecipientFacts& facts) {
  email::LintContext context;
  context.company_name = config.company_name;
  context.postal_address = config.postal_address;
  context.unsubscribe_url = facts.unsubscribe_url;
  if (facts.content) context.engaged_content.push_back(facts.content->title);
  return context;
}

}  // namespace tandem
