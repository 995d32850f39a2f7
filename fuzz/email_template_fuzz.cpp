// Fuzz target: email templates (email/template.h) as marketing writes them, rendered for
// a recipient whose every value is hostile. Input: a flags byte (bit 0: layout "none",
// bit 1: sales_outreach), then subject, preheader and html separated by NUL bytes.
// Whatever the input: CheckTemplate names each problem; a template it passes compiles;
// rendering fails only for missing values; no value reaches the HTML unescaped or puts a
// line break in the subject; the text part derived once equals the text parsed from the
// recipient's HTML; and so do the check's facts derived once per shape (template_facts.h).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "email/template.h"
#include "email/template_facts.h"

namespace {

std::string_view Next(std::string_view& input) {
  const size_t end = input.find('\0');
  const std::string_view part = input.substr(0, end);
  input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
  return part;
}

void Require(bool condition) {
  if (!condition) std::abort();
}

void CheckRendered(
    const tandem::email::EmailTemplate& t,
    const std::variant<tandem::email::RenderedEmail, tandem::email::RenderFailure>& rendered,
    bool may_miss) {
  using namespace tandem::email;
  if (const auto* failure = std::get_if<RenderFailure>(&rendered)) {
    Require(may_miss && !failure->problems.empty());
    for (const TemplateProblem& problem : failure->problems) {
      Require(problem.code == "missing_merge_field" && !problem.field.empty());
    }
    return;
  }
  const RenderedEmail& email = std::get<RenderedEmail>(rendered);
  Require(email.subject.find_first_of("\r\n") == std::string::npos);
  Require(email.preheader.find_first_of("\r\n") == std::string::npos);
  if (t.html.find("<zz") == std::string::npos) Require(email.html.find("<zz") == std::string::npos);
  Require(email.text == PlainTextFromHtml(email.html));
}

// Recipients whose values a parser keeps as they are, alike in shape but for which
// fields have a value: each one's derived facts equal a parse of its document.
void CheckFacts(const tandem::email::CompiledTemplate& compiled) {
  using namespace tandem::email;
  TemplateHtmlFacts shapes(compiled);
  const char* const kValues[] = {"Ann  Hamblin & \"Co\"", "amp;x <b>", "x", "p; `y` 'z'"};
  for (size_t n = 0; n < 8; ++n) {
    MergeValues values;
    for (size_t i = 0; i < MergeFields().size(); ++i) {
      if ((i + n) % 3 != 0 || n < 4) values[MergeFields()[i].name] = kValues[(i + n) % 4];
    }
    auto rendered = compiled.Render(values);
    if (const auto* email = std::get_if<RenderedEmail>(&rendered)) {
      Require(shapes.For(values, email->html) == ReadHtml(email->html));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tandem::email;
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  EmailTemplate t;
  t.key = "fuzz";
  t.name = "Fuzz";
  t.layout = (data[0] & 1) != 0 ? "none" : "default";
  t.purpose =
      (data[0] & 2) != 0 ? tandem::Purpose::kSalesOutreach : tandem::Purpose::kEmailMarketing;
  t.subject = std::string(Next(input));
  t.preheader = std::string(Next(input));
  t.html = std::string(Next(input));
  for (const TemplateProblem& problem : CheckTemplate(t)) {
    Require(!problem.code.empty() && !problem.message.empty() && problem.line >= 0);
  }
  auto compiled = CompiledTemplate::Compile(t);
  if (!std::holds_alternative<CompiledTemplate>(compiled)) return 0;
  const CompiledTemplate& shared = std::get<CompiledTemplate>(compiled);
  // Every value hostile, then every other one missing (the layout's are always there).
  MergeValues values;
  for (const MergeField& field : MergeFields()) values[field.name] = "<zz a=\"1\">'&\r\nBcc: x";
  CheckRendered(t, shared.Render(values), false);
  for (size_t i = 0; i < MergeFields().size(); i += 2) values[MergeFields()[i].name] = "";
  for (const char* field :
       {"sender.company_name", "sender.postal_address", "links.unsubscribe_url"})
    values[field] = "x";
  CheckRendered(t, shared.Render(values), true);
  CheckFacts(shared);
  return 0;
}
