#include "email/template_text.h"

#include <charconv>

#include "email/merge_fields.h"
#include "email/plain_text.h"

namespace tandem::email {
namespace {

// Private-use characters, which no template or value is expected to hold.
constexpr std::string_view kValueMark = "\xEE\x80\x80";  // U+E000 <field> U+E001
constexpr std::string_view kMarkEnd = "\xEE\x80\x81";    // U+E001
constexpr std::string_view kBeginMark = "\xEE\x80\x82";  // U+E002 (+|-)<field> U+E001
constexpr std::string_view kEndMark = "\xEE\x80\x83";    // U+E003

void AppendBegin(std::string& out, size_t field, bool when_present) {
  out.append(kBeginMark);
  out.push_back(when_present ? '+' : '-');
  out.append(std::to_string(field));
  out.append(kMarkEnd);
}

// The number after a marker up to kMarkEnd; npos when the text is not one.
size_t MarkerField(std::string_view text, size_t at, size_t& end) {
  const size_t close = text.find(kMarkEnd, at);
  if (close == std::string_view::npos) return std::string_view::npos;
  size_t field = 0;
  const auto [ptr, ec] = std::from_chars(text.data() + at, text.data() + close, field);
  if (ec != std::errc() || ptr != text.data() + close) return std::string_view::npos;
  end = close + kMarkEnd.size();
  return field;
}

void AppendText(std::vector<TextPiece>& pieces, std::string_view text) {
  if (text.empty()) return;
  if (pieces.empty() || pieces.back().kind != TextPiece::Kind::kText) pieces.emplace_back();
  pieces.back().text.append(text);
}

// `value` with runs of white space (non-breaking spaces too) as one space, none at the
// ends: what the HTML shows of it.
void AppendCollapsed(std::string& out, std::string_view value) {
  bool space = false;
  const size_t start = out.size();
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    const bool nbsp = c == '\xC2' && i + 1 < value.size() && value[i + 1] == '\xA0';
    if (nbsp || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      space = true;
      i += nbsp ? 1 : 0;
      continue;
    }
    if (space && out.size() > start) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
}

// `text` without the marker characters, so a template cannot forge one.
void AppendWithoutMarks(std::string& out, std::string_view text) {
  size_t at = 0;
  while (at < text.size()) {
    const size_t mark = text.find("\xEE\x80", at);
    if (mark == std::string_view::npos || mark + 2 >= text.size()) {
      out.append(text.substr(at));
      return;
    }
    out.append(text.substr(at, mark - at));
    const auto third = static_cast<unsigned char>(text[mark + 2]);
    if (third < 0x80 || third > 0x86) out.append(text.substr(mark, 3));
    at = mark + 3;
  }
}

// Where a section is skipped: the index after its kEnd.
size_t SkipSection(const std::vector<TextPiece>& pieces, size_t begin) {
  int depth = 0;
  for (size_t i = begin; i < pieces.size(); ++i) {
    if (pieces[i].kind == TextPiece::Kind::kBegin) ++depth;
    if (pieces[i].kind == TextPiece::Kind::kEnd && --depth == 0) return i + 1;
  }
  return pieces.size();
}

// Where a link's text and address begin in the text being written; npos: not seen.
struct LinkSpan {
  size_t text = std::string::npos;
  size_t href = std::string::npos;
};

// Replaces the link's text and address, written after each other, with what the text
// part shows of them.
void ResolveLink(std::string& out, LinkSpan& link) {
  if (link.text == std::string::npos || link.href == std::string::npos) return;
  const std::string text = out.substr(link.text, link.href - link.text);
  const std::string shown = LinkShown(text, std::string_view(out).substr(link.href));
  out.resize(link.text);
  out.append(shown);
  // A space after the link's text stays for the next word when nothing follows it.
  if (shown.size() <= text.size() && !text.empty() && text.back() == ' ') out.push_back(' ');
  link = LinkSpan{};
}

// One line as PlainTextFromHtml writes them: single spaces, none at the end, none at
// the start but a list item's indentation.
void AppendTidyLine(std::string& out, std::string_view line) {
  size_t first = line.find_first_not_of(' ');
  if (first == std::string_view::npos) return;
  if (line.substr(first).starts_with("- ")) out.append(first, ' ');
  bool space = false;
  for (size_t i = first; i < line.size(); ++i) {
    if (line[i] == ' ') {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(line[i]);
  }
}

// At most one blank line in a row, none at either end.
std::string Tidy(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  int blank_lines = 0;
  std::string line;
  size_t at = 0;
  while (at <= text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    line.clear();
    AppendTidyLine(line, text.substr(at, end - at));
    // A list item whose text was in a section not shown: the item is not shown either.
    if (line.find_first_not_of(' ') != std::string::npos &&
        std::string_view(line).substr(line.find_first_not_of(' ')) == "-") {
      line.clear();
    }
    if (line.empty()) {
      ++blank_lines;
    } else {
      if (!out.empty()) out.append(blank_lines > 0 ? "\n\n" : "\n");
      out.append(line);
      blank_lines = 0;
    }
    at = end + 1;
  }
  return out;
}

}  // namespace

std::string FieldMarker(size_t field) {
  std::string out(kValueMark);
  out.append(std::to_string(field));
  out.append(kMarkEnd);
  return out;
}

std::string MarkedHtml(const PartProgram& html) {
  const std::vector<TemplateOp>& ops = html.ops;
  std::vector<int> ends(ops.size() + 1, 0);  // sections ending before each op
  for (const TemplateOp& op : ops) {
    if (op.kind == TemplateOp::Kind::kSection || op.kind == TemplateOp::Kind::kInvertedSection)
      ++ends[op.skip_to];
  }
  std::string out;
  for (size_t i = 0; i <= ops.size(); ++i) {
    for (int n = 0; n < ends[i]; ++n) out.append(kEndMark);
    if (i == ops.size()) break;
    const TemplateOp& op = ops[i];
    switch (op.kind) {
      case TemplateOp::Kind::kText:
        AppendWithoutMarks(out, op.text);
        break;
      case TemplateOp::Kind::kField:
        out.append(FieldMarker(op.field));
        break;
      case TemplateOp::Kind::kFieldOr:
        AppendBegin(out, op.field, true);
        out.append(FieldMarker(op.field));
        out.append(kEndMark);
        AppendBegin(out, op.field, false);
        out.append(op.text);
        out.append(kEndMark);
        break;
      case TemplateOp::Kind::kSection:
      case TemplateOp::Kind::kInvertedSection:
        AppendBegin(out, op.field, op.kind == TemplateOp::Kind::kSection);
        break;
    }
  }
  return out;
}

std::vector<TextPiece> MarkedText(std::string_view marked_document) {
  const std::string text = UnwrappedTextFromHtml(marked_document, /*mark_links=*/true);
  std::vector<TextPiece> pieces;
  size_t at = 0;
  while (at < text.size()) {
    const size_t mark = text.find("\xEE\x80", at);
    if (mark == std::string::npos || mark + 3 > text.size()) {
      AppendText(pieces, std::string_view(text).substr(at));
      break;
    }
    AppendText(pieces, std::string_view(text).substr(at, mark - at));
    const std::string_view kind = std::string_view(text).substr(mark, 3);
    size_t end = mark + 3;
    size_t field = std::string_view::npos;
    if (kind == kEndMark) {
      pieces.push_back(TextPiece{TextPiece::Kind::kEnd, "", 0, true});
    } else if (kind == kLinkTextMark) {
      pieces.push_back(TextPiece{TextPiece::Kind::kLinkText, "", 0, true});
    } else if (kind == kLinkHrefMark) {
      pieces.push_back(TextPiece{TextPiece::Kind::kLinkHref, "", 0, true});
    } else if (kind == kLinkEndMark) {
      pieces.push_back(TextPiece{TextPiece::Kind::kLinkEnd, "", 0, true});
    } else if (kind == kValueMark &&
               (field = MarkerField(text, mark + 3, end)) < MergeFields().size()) {
      pieces.push_back(TextPiece{TextPiece::Kind::kValue, "", field, true});
    } else if (kind == kBeginMark && mark + 4 < text.size() &&
               (field = MarkerField(text, mark + 4, end)) < MergeFields().size()) {
      pieces.push_back(TextPiece{TextPiece::Kind::kBegin, "", field, text[mark + 3] == '+'});
    } else {
      AppendText(pieces, kind);  // a private-use character that is no marker: text
    }
    at = end;
  }
  return pieces;
}

std::string RenderText(const std::vector<TextPiece>& pieces, FieldValues values) {
  std::string out;
  LinkSpan link;
  size_t i = 0;
  while (i < pieces.size()) {
    const TextPiece& piece = pieces[i];
    switch (piece.kind) {
      case TextPiece::Kind::kText:
        out.append(piece.text);
        break;
      case TextPiece::Kind::kValue:
        AppendCollapsed(out, values[piece.field]);
        break;
      case TextPiece::Kind::kBegin:
        if (values[piece.field].empty() == piece.when_present) {
          i = SkipSection(pieces, i);
          continue;
        }
        break;
      case TextPiece::Kind::kEnd:
        break;
      case TextPiece::Kind::kLinkText:
        link = LinkSpan{out.size(), std::string::npos};
        break;
      case TextPiece::Kind::kLinkHref:
        if (link.text != std::string::npos) link.href = out.size();
        break;
      case TextPiece::Kind::kLinkEnd:
        ResolveLink(out, link);
        break;
    }
    ++i;
  }
  return WrapLines(Tidy(out));
}

}  // namespace tandem::email
