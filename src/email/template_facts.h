// What the pre-send check reads of a template's HTML (html_facts.h), for many
// recipients at once. Parsing HTML costs about a millisecond per email, a third of
// what a broadcast spends on each recipient; but two recipients whose values differ
// only in what they say, not in which fields have one, get documents of the same
// shape. So the document is parsed once per set of fields that have a value, rendered
// with a marker for each value, and each recipient's facts are those with the markers
// replaced by its values.
//
// That is exact only where a value is plain text or a whole quoted attribute: not in a
// tag's name, an unquoted attribute, an image's tag (its size attributes are read as
// numbers), right after "<" or "&" (the value would begin a tag or a character
// reference). A template with a value in such a place, and a value with characters a
// parser changes (control characters, carriage returns, broken UTF-8), get a full
// parse, as does the first recipient of each set of fields, whose facts are compared
// with the derived ones: a set whose facts differ is parsed for every recipient.
// Not thread-safe: one per thread (a batch of a broadcast).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "email/html_facts.h"
#include "email/template.h"

namespace tandem::email {

class TemplateHtmlFacts {
 public:
  explicit TemplateHtmlFacts(CompiledTemplate compiled);

  // ReadHtml(html), where `html` is what the template rendered from `values`.
  HtmlFacts For(const MergeValues& values, const std::string& html);

  // How many documents were parsed: for the tests and the benchmark.
  size_t parses() const { return parses_; }

 private:
  struct Shape {
    std::optional<HtmlFacts> marked;  // nullopt: every recipient is parsed
  };
  HtmlFacts Parse(const std::string& html);
  // The fields used, in fields_used() order, with their values as rendered (trimmed),
  // or nullopt when a value has a character a parse would change.
  std::optional<std::vector<std::string>> Values(const MergeValues& values) const;
  std::optional<HtmlFacts> Marked(const std::vector<std::string>& values) const;

  CompiledTemplate compiled_;
  bool markable_ = true;  // no field's marker occurs in the template as written
  std::map<std::vector<bool>, Shape> shapes_;  // by which fields have a value
  size_t parses_ = 0;
};

}  // namespace tandem::email
