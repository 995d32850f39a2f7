// Email templates: what marketing and sales write once and Tandem renders for each
// recipient. A template is a subject, a preheader and an HTML body in mustache, over the
// merge fields of merge_fields.h, placed in Tandem's layout (or not). Pure: no storage,
// no network; the caller supplies each recipient's values.
//
// The language is standard mustache (the subset Tandem allows, which kainjow-mustache
// parses the same way):
//   {{lead.first_name}}                 a merge field's value, always escaped (below)
//   {{#lead.title}} … {{/lead.title}}   shown when the field has a value
//   {{^lead.title}} … {{/lead.title}}   shown when it has none
//   {{! a note for the team }}          a comment, never sent
// Fallbacks: a field shown where the recipient has no value for it is an error for that
// recipient ("missing_merge_field"), unless the template says what to show instead, in
// either form:
//   {{#lead.first_name}}{{lead.first_name}}{{/lead.first_name}}{{^lead.first_name}}there{{/lead.first_name}}
//   {{lead.first_name | there}}         the same, shorter; "{{lead.title | }}" shows nothing
// The shorthand's fallback is template text (HTML in the body), up to the closing braces.
// Refused: unescaped tags ({{{x}}}, {{& x}}: merge values come from web forms), partials
// ({{> x}}) and delimiter changes ({{=<% %>=}}).
//
// Lines that hold only section tags are kept as written (mustache's trimming of such
// "standalone" lines is not applied: white space between HTML tags does not show).
//
// Escaping: in the HTML body values are HTML-escaped; in the subject and preheader they
// are not, but carriage returns, line feeds, tabs and other control characters become
// spaces, so a value can never start a new mail header.
//
// Thread-safety: everything here is pure; a CompiledTemplate is immutable and may be
// rendered from many threads at once.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "contact/channel.h"
#include "email/merge_fields.h"
#include "email/plain_text.h"

namespace tandem::email {

struct EmailTemplate {
  std::string key;   // [a-z0-9_-]{1,64}: how campaigns and the API name it
  std::string name;  // what marketing calls it
  // sales_outreach for one-to-one email, email_marketing for broadcasts.
  Purpose purpose = Purpose::kEmailMarketing;
  std::string subject, preheader, html;  // mustache, see above
  // "default": the html is the body, placed in Tandem's layout (the preheader as hidden
  // text at the top; for email_marketing a footer with the unsubscribe link, the
  // preferences link, the sender's name and postal address). "none": the html is the
  // whole document, preheader and footer included.
  std::string layout = "default";
};

// One thing wrong with a template: where (the part: subject, preheader, html, key, name,
// layout or purpose; for the body parts a 1-based line and column, counted in
// characters), a stable code, and a message that says what to write instead.
// Codes: unclosed_tag, bad_tag, unclosed_section, unopened_section, mismatched_section,
// unknown_merge_field, unescaped_tag, partial_tag, set_delimiter_tag, invalid_key,
// invalid_name, invalid_layout, invalid_purpose, empty_subject, too_large, too_deep
// (sections nested over 32 deep, elements over 256), whole_document; when rendering:
// missing_merge_field.
struct TemplateProblem {
  std::string part;
  std::string field;  // the merge field concerned, when there is one
  int line = 0;
  int column = 0;
  std::string code;
  std::string message;
};

// Everything wrong with `t`, in the order of its parts (key, name, purpose, layout,
// subject, preheader, html) and, within a part, of position. Empty: it may be saved.
std::vector<TemplateProblem> CheckTemplate(const EmailTemplate& t);

// One recipient's values: merge field name → value. Absent, "" or only white space = no
// value; values are used without the white space at either end.
using MergeValues = std::map<std::string, std::string, std::less<>>;

struct RenderedEmail {
  std::string subject, preheader;  // one line each, control characters made spaces
  std::string html;                // the whole document, layout applied
  std::string text;                // the plain-text part, from the html
};

// Why one recipient's email could not be rendered: each field shown without a value
// and without a fallback (code "missing_merge_field", its part, line and column), and,
// for the marketing layout, each of sender.company_name, sender.postal_address and
// links.unsubscribe_url that is empty (part "layout").
struct RenderFailure {
  std::vector<TemplateProblem> problems;
};

// A template parsed once, for rendering many times (a broadcast renders it for every
// recipient). Immutable; Render is const and may run on many threads at once. Copies
// share the parsed parts.
class CompiledTemplate {
 public:
  // `t` compiled, or the problems CheckTemplate finds (never empty then).
  static std::variant<CompiledTemplate, std::vector<TemplateProblem>> Compile(
      const EmailTemplate& t);

  std::variant<RenderedEmail, RenderFailure> Render(const MergeValues& values) const;

  const EmailTemplate& source() const;
  // The merge fields any part or the layout uses, in MergeFields() order: what a caller
  // must look up for each recipient.
  const std::vector<std::string>& fields_used() const;
  // Whether each recipient's plain-text part comes from the text derived once at compile
  // time (template_text.h) rather than from parsing that recipient's HTML; either way it
  // is meant to be PlainTextFromHtml(html), which Compile checks on probe recipients and
  // the email_template fuzz target on hostile ones. False when the template's markup
  // moves text around (a section between table rows), which that check detects.
  bool text_derived_once() const;

 private:
  struct Parts;
  explicit CompiledTemplate(std::shared_ptr<const Parts> parts) : parts_(std::move(parts)) {}
  // Shared: copies are cheap and the parts never change after Compile.
  std::shared_ptr<const Parts> parts_;
};

// Compile and Render in one call, for a single email; a broadcast compiles once.
// REQUIRES: CheckTemplate(t) is empty (otherwise the failure lists its problems).
std::variant<RenderedEmail, RenderFailure> RenderTemplate(const EmailTemplate& t,
                                                          const MergeValues& values);

}  // namespace tandem::email
