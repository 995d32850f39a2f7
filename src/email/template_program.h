// One part of an email template (subject, preheader or HTML body) compiled from its
// mustache source into a flat program: literal text, merge fields and sections, each
// field by its index in MergeFields(). Compiling finds every syntax problem with its
// line and column; rendering a program is one pass over it with no lookups by name.
// Immutable once compiled: thread-safe to render from many threads.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tandem::email {

struct TemplateProblem;  // template.h

// How a part's values (and, for the plain parts, its literal text) are written.
enum class PartEscaping {
  kHtml,   // & < > " ' ` as character references
  kPlain,  // one line: control characters, CR, LF and tabs as spaces
};

struct TemplateOp {
  enum class Kind {
    kText,             // `text`, written as is
    kField,            // the field's value, escaped; no value: missing_merge_field
    kFieldOr,          // the field's value, escaped; no value: `text` (the fallback)
    kSection,          // no value: jump to `skip_to`
    kInvertedSection,  // a value: jump to `skip_to`
  };
  Kind kind = Kind::kText;
  std::string text;
  size_t field = 0;
  size_t skip_to = 0;
  int line = 0;  // where the tag is, for missing_merge_field
  int column = 0;
};

struct PartProgram {
  std::string part;  // "subject", "preheader", "html"
  PartEscaping escaping = PartEscaping::kHtml;
  std::vector<TemplateOp> ops;
  // The source with each shorthand fallback written out in the standard form: what any
  // mustache implementation renders the same way.
  std::string standard;
};

// Compiles `source`, appending each problem found to `problems` (named by `part`).
// The program is complete only when no problem was appended.
PartProgram CompilePart(std::string_view part, PartEscaping escaping, std::string_view source,
                        std::vector<TemplateProblem>& problems);

// One recipient's values, by MergeFields() index ("" = no value).
using FieldValues = std::span<const std::string_view>;

// Appends `program` rendered with `values` to `out`. Each kField with no value appends a
// missing_merge_field problem (once per field) and writes nothing.
void RenderPart(const PartProgram& program, FieldValues values, std::string& out,
                std::vector<TemplateProblem>& missing);

// The 1-based line and column (in characters) of byte `offset` in `source`.
std::pair<int, int> LineColumn(std::string_view source, size_t offset);

// Appends `value` to `out` escaped as `escaping` says.
void AppendEscaped(std::string& out, std::string_view value, PartEscaping escaping);

}  // namespace tandem::email
