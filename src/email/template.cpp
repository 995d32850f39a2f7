#include "email/template.h"

#include <fmt/format.h>

#include <algorithm>
#include <kainjow/mustache.hpp>

#include "email/html_facts.h"
#include "email/template_layout.h"
#include "email/template_program.h"
#include "email/template_text.h"

namespace tandem::email {
namespace {

constexpr size_t kMaxKey = 64;
constexpr size_t kMaxName = 200;
constexpr size_t kMaxLine = 2000;         // subject and preheader sources
constexpr size_t kMaxHtml = 1024 * 1024;  // far above what Gmail shows (102 KB)
constexpr size_t kMaxNesting = 256;       // elements within elements (CheckNesting)

// The merge fields the marketing layout needs of every recipient, and the one it uses
// when present.
constexpr std::string_view kCompanyName = "sender.company_name";
constexpr std::string_view kPostalAddress = "sender.postal_address";
constexpr std::string_view kUnsubscribeUrl = "links.unsubscribe_url";
constexpr std::string_view kPreferencesUrl = "links.preferences_url";

struct Programs {
  PartProgram subject, preheader, html;
};

// The plain-text part derived once (template_text.h); used only when `once` (it matched
// full parses of probe recipients).
struct DerivedText {
  bool once = false;
  std::vector<TextPiece> with_preferences, without_preferences;
};

void Add(std::vector<TemplateProblem>& problems, std::string part, std::string code,
         std::string message) {
  problems.push_back(
      TemplateProblem{std::move(part), "", 0, 0, std::move(code), std::move(message)});
}

bool ValidKey(std::string_view key) {
  return !key.empty() && key.size() <= kMaxKey && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// A value quoted in a message: at most 80 bytes, on one line.
std::string Quoted(std::string_view value) {
  std::string out;
  AppendEscaped(out, value.substr(0, 80), PartEscaping::kPlain);
  return fmt::format("\"{}{}\"", out, value.size() > 80 ? "…" : "");
}

void CheckIdentity(const EmailTemplate& t, std::vector<TemplateProblem>& problems) {
  if (!ValidKey(t.key)) {
    Add(problems, "key", "invalid_key",
        fmt::format("the key {} must be 1 to 64 characters of a-z, 0-9, _ and -", Quoted(t.key)));
  }
  std::string one_line;
  AppendEscaped(one_line, t.name, PartEscaping::kPlain);
  if (t.name.find_first_not_of(" \t\r\n") == std::string::npos || t.name.size() > kMaxName ||
      one_line != t.name) {
    Add(problems, "name", "invalid_name",
        "the name must be one line of at most 200 bytes, not blank, without control characters");
  }
  if (t.purpose != Purpose::kSalesOutreach && t.purpose != Purpose::kEmailMarketing) {
    Add(problems, "purpose", "invalid_purpose",
        fmt::format("an email template serves sales_outreach or email_marketing, not {}",
                    PurposeName(t.purpose)));
  }
  if (t.layout != "default" && t.layout != "none") {
    Add(problems, "layout", "invalid_layout",
        fmt::format("the layout {} must be \"default\" (the body inside Tandem's layout) or "
                    "\"none\" (the html is the whole document)",
                    Quoted(t.layout)));
  }
}

// Whether `part` is within its size limit; reports it when not.
bool WithinSize(std::string_view part, std::string_view source, size_t limit,
                std::vector<TemplateProblem>& problems) {
  if (source.size() <= limit) return true;
  Add(problems, std::string(part), "too_large",
      fmt::format("the {} is {} bytes; at most {} are allowed", part, source.size(), limit));
  return false;
}

// With the default layout Tandem writes <html>, <head> and <body>; a body that has its
// own is a whole document given to the wrong layout.
void CheckBodyOnly(const EmailTemplate& t, std::vector<TemplateProblem>& problems) {
  if (t.layout != "default") return;
  std::string lower(t.html);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view tag : {"<!doctype", "<html", "<body"}) {
    const size_t at = lower.find(tag);
    if (at == std::string::npos) continue;
    const auto [line, column] = LineColumn(t.html, at);
    problems.push_back(TemplateProblem{
        "html", "", line, column, "whole_document",
        fmt::format("the html has its own {}…>, but the layout \"default\" supplies the "
                    "document: give only the body, or choose the layout \"none\"",
                    tag)});
    return;
  }
}

bool IsVoidElement(std::string_view name) {
  for (std::string_view known : {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                                 "meta", "source", "track", "wbr"}) {
    if (name.size() == known.size() &&
        std::equal(name.begin(), name.end(), known.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      return true;
    }
  }
  return false;
}

// HTML parsers take time quadratic in how deep elements nest (gumbo: 1.3 s for 8,000
// nested <div>s), and every recipient's email is parsed at least once before it is sent;
// so a body nesting deeper than any real email is refused. Counted from the tags as
// written: an opening tag of a non-void element goes one deeper, a closing tag back.
void CheckNesting(std::string_view html, std::vector<TemplateProblem>& problems) {
  size_t depth = 0;
  for (size_t at = html.find('<'); at != std::string_view::npos; at = html.find('<', at + 1)) {
    if (html.substr(at, 4) == "<!--") {
      at = html.find("-->", at);
      if (at == std::string_view::npos) return;
      continue;
    }
    const bool closing = at + 1 < html.size() && html[at + 1] == '/';
    const size_t name_start = at + (closing ? 2 : 1);
    size_t name_end = name_start;
    while (name_end < html.size() && std::isalnum(static_cast<unsigned char>(html[name_end])))
      ++name_end;
    if (name_end == name_start) continue;
    if (closing) {
      depth -= depth > 0 ? 1 : 0;
      continue;
    }
    const size_t tag_end = html.find('>', name_end);
    const bool self_closing = tag_end != std::string_view::npos && html[tag_end - 1] == '/';
    if (IsVoidElement(html.substr(name_start, name_end - name_start)) || self_closing) continue;
    if (++depth <= kMaxNesting) continue;
    const auto [line, column] = LineColumn(html, at);
    problems.push_back(TemplateProblem{
        "html", "", line, column, "too_deep",
        fmt::format("elements are nested more than {} deep here; no email needs that many",
                    kMaxNesting)});
    return;
  }
}

// The standard form of a part must parse in kainjow-mustache too: what Tandem accepts is
// portable mustache. Checked only once Tandem's own parse found nothing.
void CheckStandard(const PartProgram& program, std::vector<TemplateProblem>& problems) {
  const kainjow::mustache::mustache parsed(program.standard);
  if (parsed.is_valid()) return;
  Add(problems, program.part, "bad_tag",
      fmt::format("the {} is not standard mustache: {}", program.part, parsed.error_message()));
}

std::vector<TemplateProblem> CheckInto(const EmailTemplate& t, Programs& programs) {
  std::vector<TemplateProblem> problems;
  CheckIdentity(t, problems);
  if (WithinSize("subject", t.subject, kMaxLine, problems)) {
    if (t.subject.find_first_not_of(" \t\r\n") == std::string::npos) {
      problems.push_back(TemplateProblem{"subject", "", 1, 1, "empty_subject",
                                         "the subject is empty: say what the email offers the "
                                         "reader"});
    }
    programs.subject = CompilePart("subject", PartEscaping::kPlain, t.subject, problems);
  }
  if (WithinSize("preheader", t.preheader, kMaxLine, problems)) {
    programs.preheader = CompilePart("preheader", PartEscaping::kPlain, t.preheader, problems);
  }
  if (WithinSize("html", t.html, kMaxHtml, problems)) {
    CheckBodyOnly(t, problems);
    CheckNesting(t.html, problems);
    programs.html = CompilePart("html", PartEscaping::kHtml, t.html, problems);
  }
  if (problems.empty()) {
    for (const PartProgram* part : {&programs.subject, &programs.preheader, &programs.html}) {
      CheckStandard(*part, problems);
    }
  }
  return problems;
}

bool UsesMarketingLayout(const EmailTemplate& t) {
  return t.layout == "default" && t.purpose == Purpose::kEmailMarketing;
}

std::string_view TrimSpace(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// Runs of spaces as one, none at either end: the subject and preheader as shown.
void CollapseSpaces(std::string& line) {
  std::string out;
  out.reserve(line.size());
  for (char c : line) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out.push_back(c);
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  line = std::move(out);
}

size_t FieldIndex(std::string_view name) { return *MergeFieldIndex(name); }

// The whole document for one recipient: the body rendered and placed in the layout.
// Appends to `missing` each field shown without a value.
std::string RenderDocument(const EmailTemplate& t, const Programs& programs, FieldValues values,
                           std::string_view subject, std::string_view preheader,
                           std::vector<TemplateProblem>& missing) {
  std::string body;
  body.reserve(t.html.size() + t.html.size() / 8);
  RenderPart(programs.html, values, body, missing);
  if (t.layout == "none") return body;
  LayoutValues layout{subject, preheader, {}, {}, {}, {}};
  if (UsesMarketingLayout(t)) {
    layout.company_name = values[FieldIndex(kCompanyName)];
    layout.postal_address = values[FieldIndex(kPostalAddress)];
    layout.unsubscribe_url = values[FieldIndex(kUnsubscribeUrl)];
    layout.preferences_url = values[FieldIndex(kPreferencesUrl)];
    for (std::string_view name : {kCompanyName, kPostalAddress, kUnsubscribeUrl}) {
      if (!values[FieldIndex(name)].empty()) continue;
      missing.push_back(TemplateProblem{
          "layout", std::string(name), 0, 0, "missing_merge_field",
          fmt::format("{} has no value, and the marketing layout's footer must show it", name)});
    }
  }
  return WrapInDefaultLayout(t.purpose, body, layout);
}

// The document with markers for the values (template_text.h), with or without the
// layout's preferences link.
std::string MarkedDocument(const EmailTemplate& t, const Programs& programs, bool preferences) {
  const std::string body = MarkedHtml(programs.html);
  if (t.layout == "none") return body;
  std::string company, address, unsubscribe, preferences_url;
  LayoutValues layout{};
  if (UsesMarketingLayout(t)) {
    company = FieldMarker(FieldIndex(kCompanyName));
    address = FieldMarker(FieldIndex(kPostalAddress));
    unsubscribe = FieldMarker(FieldIndex(kUnsubscribeUrl));
    if (preferences) preferences_url = FieldMarker(FieldIndex(kPreferencesUrl));
    layout = LayoutValues{"", "", company, address, unsubscribe, preferences_url};
  }
  return WrapInDefaultLayout(t.purpose, body, layout);
}

// The text derived once, for the recipient's values: with or without the preferences
// link the layout shows only when there is one.
const std::vector<TextPiece>& TextFor(const DerivedText& text, FieldValues values) {
  return values[FieldIndex(kPreferencesUrl)].empty() ? text.without_preferences
                                                     : text.with_preferences;
}

// Whether the text derived once equals PlainTextFromHtml of the rendered document for
// probe recipients: one with every field, one with none, and one without each field a
// section or fallback depends on. Markers can land elsewhere than the values would (text
// moved out of a table by the HTML parser, an empty list item): then the template's
// text is derived from each recipient's HTML instead.
bool TextMatchesFullParses(const EmailTemplate& t, const Programs& programs,
                           const std::vector<size_t>& used, const DerivedText& text) {
  std::vector<std::string> full(MergeFields().size());
  for (size_t field : used) full[field] = fmt::format("v{} & <b>'q'</b>", field);
  std::vector<std::vector<std::string>> probes = {full, std::vector<std::string>(full.size())};
  std::vector<bool> condition(full.size(), false);
  for (const TemplateOp& op : programs.html.ops) {
    if (op.kind != TemplateOp::Kind::kText && op.kind != TemplateOp::Kind::kField)
      condition[op.field] = true;
  }
  if (UsesMarketingLayout(t)) condition[FieldIndex(kPreferencesUrl)] = true;
  for (size_t field = 0; field < condition.size(); ++field) {
    if (!condition[field]) continue;
    probes.push_back(full);
    probes.back()[field].clear();
  }
  for (const std::vector<std::string>& probe : probes) {
    const std::vector<std::string_view> values(probe.begin(), probe.end());
    std::vector<TemplateProblem> ignored;
    const std::string html = RenderDocument(t, programs, values, "", "", ignored);
    if (PlainTextFromHtml(html) != RenderText(TextFor(text, values), values)) return false;
  }
  return true;
}

}  // namespace

struct CompiledTemplate::Parts {
  EmailTemplate source;
  Programs programs;
  std::vector<size_t> used;  // MergeFields() indexes any part or the layout reads
  std::vector<std::string> used_names;
  DerivedText text;
};

std::vector<TemplateProblem> CheckTemplate(const EmailTemplate& t) {
  Programs programs;
  return CheckInto(t, programs);
}

std::variant<CompiledTemplate, std::vector<TemplateProblem>> CompiledTemplate::Compile(
    const EmailTemplate& t) {
  auto parts = std::make_shared<Parts>();
  std::vector<TemplateProblem> problems = CheckInto(t, parts->programs);
  if (!problems.empty()) return problems;
  parts->source = t;
  std::vector<bool> used(MergeFields().size(), false);
  for (const PartProgram* part :
       {&parts->programs.subject, &parts->programs.preheader, &parts->programs.html}) {
    for (const TemplateOp& op : part->ops) {
      if (op.kind != TemplateOp::Kind::kText) used[op.field] = true;
    }
  }
  if (UsesMarketingLayout(t)) {
    for (std::string_view name : {kCompanyName, kPostalAddress, kUnsubscribeUrl, kPreferencesUrl})
      used[FieldIndex(name)] = true;
  }
  for (size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) continue;
    parts->used.push_back(i);
    parts->used_names.push_back(MergeFields()[i].name);
  }
  DerivedText& text = parts->text;
  text.with_preferences = MarkedText(MarkedDocument(t, parts->programs, true));
  text.without_preferences = UsesMarketingLayout(t)
                                 ? MarkedText(MarkedDocument(t, parts->programs, false))
                                 : text.with_preferences;
  // Broken UTF-8 beside a marker can swallow it (or a value's first byte) in the parse.
  text.once = IsValidUtf8(t.subject) && IsValidUtf8(t.preheader) && IsValidUtf8(t.html) &&
              TextMatchesFullParses(t, parts->programs, parts->used, text);
  return CompiledTemplate(std::move(parts));
}

const EmailTemplate& CompiledTemplate::source() const { return parts_->source; }

bool CompiledTemplate::text_derived_once() const { return parts_->text.once; }

const std::vector<std::string>& CompiledTemplate::fields_used() const { return parts_->used_names; }

std::variant<RenderedEmail, RenderFailure> CompiledTemplate::Render(
    const MergeValues& values) const {
  std::vector<std::string_view> by_index(MergeFields().size());
  for (size_t index : parts_->used) {
    const auto it = values.find(MergeFields()[index].name);
    if (it != values.end()) by_index[index] = TrimSpace(it->second);
  }
  RenderedEmail email;
  std::vector<TemplateProblem> missing;
  RenderPart(parts_->programs.subject, by_index, email.subject, missing);
  CollapseSpaces(email.subject);
  RenderPart(parts_->programs.preheader, by_index, email.preheader, missing);
  CollapseSpaces(email.preheader);
  email.html = RenderDocument(parts_->source, parts_->programs, by_index, email.subject,
                              email.preheader, missing);
  if (!missing.empty()) return RenderFailure{std::move(missing)};
  email.text = parts_->text.once ? RenderText(TextFor(parts_->text, by_index), by_index)
                                 : PlainTextFromHtml(email.html);
  return email;
}

std::variant<RenderedEmail, RenderFailure> RenderTemplate(const EmailTemplate& t,
                                                          const MergeValues& values) {
  auto compiled = CompiledTemplate::Compile(t);
  if (auto* problems = std::get_if<std::vector<TemplateProblem>>(&compiled)) {
    return RenderFailure{std::move(*problems)};
  }
  return std::get<CompiledTemplate>(compiled).Render(values);
}

}  // namespace tandem::email
