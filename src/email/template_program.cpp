#include "email/template_program.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "email/merge_fields.h"
#include "email/template.h"

namespace tandem::email {
namespace {

constexpr size_t kNoField = static_cast<size_t>(-1);
constexpr size_t kMaxSectionDepth = 32;  // far beyond any email; bounds every parser's stack

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

// Maps byte offsets to line and column; offsets asked in increasing order cost one pass.
class Locator {
 public:
  explicit Locator(std::string_view source) : source_(source) {}

  std::pair<int, int> At(size_t offset) {
    if (offset < offset_) *this = Locator(source_);
    for (; offset_ < offset && offset_ < source_.size(); ++offset_) {
      const auto c = static_cast<unsigned char>(source_[offset_]);
      if (c == '\n') {
        ++line_;
        column_ = 1;
      } else if ((c & 0xC0) != 0x80) {  // not a UTF-8 continuation byte
        ++column_;
      }
    }
    return {line_, column_};
  }

 private:
  std::string_view source_;
  size_t offset_ = 0;
  int line_ = 1;
  int column_ = 1;
};

struct OpenSection {
  size_t op = 0;
  std::string name;
  int line = 0;
  int column = 0;
};

// One pass over a part's source, building its program and naming its problems.
class PartCompiler {
 public:
  PartCompiler(std::string_view part, PartEscaping escaping, std::string_view source,
               std::vector<TemplateProblem>& problems)
      : source_(source), locator_(source), problems_(problems), first_problem_(problems.size()) {
    program_.part = std::string(part);
    program_.escaping = escaping;
    program_.standard.reserve(source.size());
  }

  PartProgram Run() {
    size_t at = 0;
    while (at < source_.size()) {
      const size_t open = source_.find("{{", at);
      const size_t text_end = open == std::string_view::npos ? source_.size() : open;
      Text(source_.substr(at, text_end - at));
      program_.standard.append(source_.substr(at, text_end - at));
      if (open == std::string_view::npos) break;
      const size_t end = Tag(open);
      at = end;
    }
    for (const OpenSection& section : open_sections_) {
      Problem(section.line, section.column, "unclosed_section", section.name,
              fmt::format("{{{{#{0}}}}} is never closed: add {{{{/{0}}}}} where the section ends",
                          section.name));
    }
    std::stable_sort(problems_.begin() + static_cast<std::ptrdiff_t>(first_problem_),
                     problems_.end(), [](const TemplateProblem& a, const TemplateProblem& b) {
                       return std::pair(a.line, a.column) < std::pair(b.line, b.column);
                     });
    return std::move(program_);
  }

 private:
  void Problem(int line, int column, std::string code, std::string_view field,
               std::string message) {
    problems_.push_back(TemplateProblem{program_.part, std::string(field), line, column,
                                        std::move(code), std::move(message)});
  }
  void ProblemAt(size_t offset, std::string code, std::string_view field, std::string message) {
    const auto [line, column] = locator_.At(offset);
    Problem(line, column, std::move(code), field, std::move(message));
  }

  // Literal text: in the plain parts already made one line, so rendering copies it.
  void Text(std::string_view text) {
    if (text.empty()) return;
    if (!text_continues_ || program_.ops.empty() ||
        program_.ops.back().kind != TemplateOp::Kind::kText) {
      program_.ops.push_back(TemplateOp{});
      text_continues_ = true;
    }
    if (program_.escaping == PartEscaping::kPlain) {
      AppendEscaped(program_.ops.back().text, text, PartEscaping::kPlain);
    } else {
      program_.ops.back().text.append(text);
    }
  }

  // The tag opening at `open`; returns the offset after it.
  size_t Tag(size_t open) {
    if (source_.substr(open, 3) == "{{{") return TripleTag(open);
    const size_t body = open + 2;
    const size_t close = source_.find("}}", body);
    const std::string_view rest = source_.substr(body);
    const std::string_view trimmed =
        Trim(rest.substr(0, close == std::string_view::npos ? rest.size() : close - body));
    if (!trimmed.empty() && trimmed.front() == '!' && close != std::string_view::npos) {
      program_.standard.append(source_.substr(open, close + 2 - open));
      return close + 2;  // a comment, which may span lines
    }
    const size_t line_end = source_.find('\n', body);
    const size_t next_open = source_.find("{{", body);
    if (close == std::string_view::npos || line_end < close || next_open < close) {
      ProblemAt(open, "unclosed_tag", "",
                "this {{ is not closed with }} on its line: finish the tag, like "
                "{{lead.first_name}}");
      Text("{{");
      program_.standard.append("{{");
      return body;
    }
    const std::string_view content = Trim(source_.substr(body, close - body));
    if (!Classify(open, content)) program_.standard.append(source_.substr(open, close + 2 - open));
    return close + 2;
  }

  size_t TripleTag(size_t open) {
    const size_t close = source_.find("}}}", open + 3);
    if (close == std::string_view::npos) {
      ProblemAt(open, "unclosed_tag", "", "this {{{ is not closed with }}}");
      return open + 3;
    }
    Unescaped(open, Trim(source_.substr(open + 3, close - open - 3)), "{{{");
    return close + 3;
  }

  void Unescaped(size_t open, std::string_view name, std::string_view written) {
    ProblemAt(open, "unescaped_tag", name,
              fmt::format("{}{}… inserts the value without HTML escaping, which Tandem never "
                          "does: merge values come from web forms. Write {{{{{}}}}}",
                          written, name, name));
  }

  // Handles one tag's content; true when it wrote its own standard form.
  bool Classify(size_t open, std::string_view content) {
    if (content.empty()) {
      ProblemAt(open, "bad_tag", "",
                "an empty tag: write a merge field between the braces, like {{lead.first_name}}");
      return false;
    }
    const std::string_view name = Trim(content.substr(1));
    switch (content.front()) {
      case '#':
      case '^':
        OpenSectionTag(open, content.front() == '^', name);
        return false;
      case '/':
        CloseSectionTag(open, name);
        return false;
      case '&':
        Unescaped(open, name, "{{&");
        return false;
      case '>':
        ProblemAt(open, "partial_tag", name,
                  fmt::format("{{{{> {}}}}} would include another template, which Tandem does "
                              "not do: write the text here",
                              name));
        return false;
      case '=':
        ProblemAt(open, "set_delimiter_tag", "",
                  "{{=… =}} changes the tag delimiters, which Tandem does not allow: keep {{ "
                  "and }}");
        return false;
      default:
        return Variable(open, content);
    }
  }

  // The merge field `name` names, or kNoField with the problem reported.
  size_t Field(size_t open, std::string_view name, std::string_view content) {
    const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), IsNameChar);
    if (!valid) {
      const bool has_space = name.find(' ') != std::string_view::npos;
      ProblemAt(
          open, "bad_tag", "",
          fmt::format("{{{{{}}}}} is not a merge field: names are written like "
                      "lead.first_name{}",
                      content,
                      has_space ? " (a fallback is written {{lead.first_name | there}})" : ""));
      return kNoField;
    }
    if (auto index = MergeFieldIndex(name)) return *index;
    std::vector<std::string> near = NearMergeFields(name);
    std::string message = fmt::format("unknown merge field \"{}\"", name);
    if (near.empty()) {
      message +=
          "; merge fields begin with lead., company., owner., content., campaign., "
          "sender. or links. (see the list of merge fields)";
    } else {
      const std::string last = near.back();
      near.pop_back();
      message += near.empty()
                     ? fmt::format("; did you mean {}?", last)
                     : fmt::format("; did you mean {} or {}?", fmt::join(near, ", "), last);
    }
    ProblemAt(open, "unknown_merge_field", name, std::move(message));
    return kNoField;
  }

  bool Variable(size_t open, std::string_view content) {
    const size_t bar = content.find('|');
    const std::string_view name = Trim(content.substr(0, bar));
    const size_t field = Field(open, name, content);
    if (field == kNoField) return false;
    TemplateOp op;
    std::tie(op.line, op.column) = locator_.At(open);
    op.field = field;
    if (bar == std::string_view::npos) {
      op.kind = TemplateOp::Kind::kField;
      program_.ops.push_back(std::move(op));
      return false;
    }
    const std::string_view fallback = Trim(content.substr(bar + 1));
    op.kind = TemplateOp::Kind::kFieldOr;
    if (program_.escaping == PartEscaping::kPlain) {
      AppendEscaped(op.text, fallback, PartEscaping::kPlain);
    } else {
      op.text = std::string(fallback);
    }
    program_.ops.push_back(std::move(op));
    fmt::format_to(std::back_inserter(program_.standard),
                   "{{{{#{0}}}}}{{{{{0}}}}}{{{{/{0}}}}}{{{{^{0}}}}}{1}{{{{/{0}}}}}", name,
                   fallback);
    return true;
  }

  void OpenSectionTag(size_t open, bool inverted, std::string_view name) {
    const auto [line, column] = locator_.At(open);
    if (open_sections_.size() == kMaxSectionDepth) {
      Problem(line, column, "too_deep", name,
              fmt::format("sections are nested more than {} deep here", kMaxSectionDepth));
    }
    open_sections_.push_back(OpenSection{program_.ops.size(), std::string(name), line, column});
    TemplateOp op;
    op.kind = inverted ? TemplateOp::Kind::kInvertedSection : TemplateOp::Kind::kSection;
    op.field = Field(open, name, fmt::format("{}{}", inverted ? '^' : '#', name));
    op.line = line;
    op.column = column;
    program_.ops.push_back(std::move(op));
  }

  void CloseSectionTag(size_t open, std::string_view name) {
    if (open_sections_.empty()) {
      ProblemAt(open, "unopened_section", name,
                fmt::format("{{{{/{0}}}}} closes a section that was never opened: add "
                            "{{{{#{0}}}}} where it begins, or remove this tag",
                            name));
      return;
    }
    const OpenSection& innermost = open_sections_.back();
    if (innermost.name != name) {
      ProblemAt(open, "mismatched_section", name,
                fmt::format("{{{{/{}}}}} does not match {{{{#{}}}}} opened at line {}, column "
                            "{}: close that section first",
                            name, innermost.name, innermost.line, innermost.column));
      const auto match = std::find_if(open_sections_.rbegin(), open_sections_.rend(),
                                      [&](const OpenSection& s) { return s.name == name; });
      if (match == open_sections_.rend()) return;  // a stray close: nothing to end
      open_sections_.erase(match.base(), open_sections_.end());
    }
    program_.ops[open_sections_.back().op].skip_to = program_.ops.size();
    open_sections_.pop_back();
    text_continues_ = false;  // the text inside the section ends with it
  }

  std::string_view source_;
  Locator locator_;
  std::vector<TemplateProblem>& problems_;
  size_t first_problem_;
  PartProgram program_;
  std::vector<OpenSection> open_sections_;
  bool text_continues_ = true;  // whether literal text may extend the last op
};

void ReportMissing(const PartProgram& program, const TemplateOp& op,
                   std::vector<TemplateProblem>& missing) {
  const std::string& field = MergeFields()[op.field].name;
  for (const TemplateProblem& problem : missing) {
    if (problem.part == program.part && problem.field == field) return;  // once per field
  }
  missing.push_back(TemplateProblem{
      program.part, field, op.line, op.column, "missing_merge_field",
      fmt::format("{0} has no value for this recipient, and the {1} shows it without a "
                  "fallback: write {{{{{0} | …}}}}, or a {{{{^{0}}}}}…{{{{/{0}}}}} section",
                  field, program.part)});
}

void AppendHtmlEscaped(std::string& out, std::string_view value) {
  size_t at = 0;
  while (at < value.size()) {
    const size_t special = value.find_first_of("&<>\"'`", at);
    if (special == std::string_view::npos) {
      out.append(value.substr(at));
      return;
    }
    out.append(value.substr(at, special - at));
    switch (value[special]) {
      case '&':
        out.append("&amp;");
        break;
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      case '"':
        out.append("&quot;");
        break;
      case '\'':
        out.append("&#39;");
        break;
      default:
        out.append("&#96;");
        break;
    }
    at = special + 1;
  }
}

// Control characters (C0, DEL, C1) and the Unicode line and paragraph separators as
// spaces: nothing in a value can end a header line.
void AppendOneLine(std::string& out, std::string_view value) {
  for (size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    const auto next = i + 1 < value.size() ? static_cast<unsigned char>(value[i + 1]) : 0;
    if (c < 0x20 || c == 0x7F) {
      out.push_back(' ');
    } else if (c == 0xC2 && next >= 0x80 && next <= 0x9F) {  // U+0080..U+009F
      out.push_back(' ');
      i += 1;
    } else if (c == 0xE2 && next == 0x80 && i + 2 < value.size() &&
               (value[i + 2] == '\xA8' || value[i + 2] == '\xA9')) {  // U+2028, U+2029
      out.push_back(' ');
      i += 2;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

}  // namespace

PartProgram CompilePart(std::string_view part, PartEscaping escaping, std::string_view source,
                        std::vector<TemplateProblem>& problems) {
  return PartCompiler(part, escaping, source, problems).Run();
}

std::pair<int, int> LineColumn(std::string_view source, size_t offset) {
  return Locator(source).At(offset);
}

void AppendEscaped(std::string& out, std::string_view value, PartEscaping escaping) {
  if (escaping == PartEscaping::kHtml) {
    AppendHtmlEscaped(out, value);
  } else {
    AppendOneLine(out, value);
  }
}

void RenderPart(const PartProgram& program, FieldValues values, std::string& out,
                std::vector<TemplateProblem>& missing) {
  const std::vector<TemplateOp>& ops = program.ops;
  size_t i = 0;
  while (i < ops.size()) {
    const TemplateOp& op = ops[i];
    switch (op.kind) {
      case TemplateOp::Kind::kText:
        out.append(op.text);
        break;
      case TemplateOp::Kind::kField:
        if (!values[op.field].empty()) {
          AppendEscaped(out, values[op.field], program.escaping);
        } else {
          ReportMissing(program, op, missing);
        }
        break;
      case TemplateOp::Kind::kFieldOr:
        if (!values[op.field].empty()) {
          AppendEscaped(out, values[op.field], program.escaping);
        } else {
          out.append(op.text);
        }
        break;
      case TemplateOp::Kind::kSection:
        if (values[op.field].empty()) {
          i = op.skip_to;
          continue;
        }
        break;
      case TemplateOp::Kind::kInvertedSection:
        if (!values[op.field].empty()) {
          i = op.skip_to;
          continue;
        }
        break;
    }
    ++i;
  }
}

}  // namespace tandem::email
