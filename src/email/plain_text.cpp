#include "email/plain_text.h"

#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace tandem::email {
namespace {

constexpr size_t kWrapColumn = 76;
constexpr int kMaxDepth = 1000;

// `text` in lower case without white space, for comparing what two texts say.
std::string Lower(std::string_view text) {
  std::string lower;
  lower.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (!std::isspace(byte)) lower.push_back(static_cast<char>(std::tolower(byte)));
  }
  return lower;
}

std::string_view Attribute(const GumboElement& element, const char* name) {
  const GumboAttribute* attribute = gumbo_get_attribute(&element.attributes, name);
  return attribute == nullptr ? std::string_view() : std::string_view(attribute->value);
}

bool Hidden(const GumboElement& element) {
  if (gumbo_get_attribute(&element.attributes, "hidden") != nullptr) return true;
  if (Lower(Attribute(element, "style")).find("display:none") != std::string::npos) return true;
  const std::string_view cls = Attribute(element, "class");
  return cls.find("preheader") != std::string_view::npos;
}

bool Skipped(const GumboElement& element) {
  switch (element.tag) {
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NOSCRIPT:
      return true;
    default:
      return Hidden(element);
  }
}

// Lines apart before and after the element: 2 a blank line, 1 a new line, 0 inline.
int LinesApart(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
      return 2;
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TFOOT:
      return 1;
    default:
      return 0;
  }
}

// "https://example.com/" and "example.com" show the same address.
std::string_view Bare(std::string_view url) {
  for (std::string_view scheme : {"https://", "http://", "mailto:"}) {
    if (url.size() >= scheme.size() && Lower(url.substr(0, scheme.size())) == scheme) {
      url.remove_prefix(scheme.size());
      break;
    }
  }
  if (url.starts_with("www.")) url.remove_prefix(4);
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return url;
}

// The text being written: words with single spaces, line breaks asked for by elements
// and written only when more text follows.
class TextWriter {
 public:
  void Words(std::string_view text) {
    for (size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '\xC2' && i + 1 < text.size() && text[i + 1] == '\xA0') {  // &nbsp;
        space_ = true;
        ++i;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        space_ = true;
      } else {
        Flush();
        out_.push_back(c);
      }
    }
  }
  // Text written as is at the start of the next line's words ("- ").
  void Prefix(std::string prefix) { prefix_ = std::move(prefix); }
  void Break(int lines) { breaks_ = std::max(breaks_, lines); }
  // <br>: each one counts, two make a blank line.
  void LineBreak() { breaks_ = std::min(breaks_ + 1, 2); }
  size_t size() const { return out_.size(); }
  std::string_view Since(size_t at) const { return std::string_view(out_).substr(at); }
  std::string Take() { return std::move(out_); }

 private:
  void Flush() {
    if (breaks_ > 0 && !out_.empty()) {
      out_.append(static_cast<size_t>(breaks_), '\n');
    } else if (space_ && !out_.empty() && out_.back() != '\n' && out_.back() != ' ') {
      out_.push_back(' ');
    }
    if (!prefix_.empty() && (out_.empty() || out_.back() == '\n')) out_.append(prefix_);
    prefix_.clear();
    breaks_ = 0;
    space_ = false;
  }

  std::string out_;
  std::string prefix_;
  int breaks_ = 0;
  bool space_ = false;
};

class Walker {
 public:
  Walker(TextWriter& out, bool mark_links) : out_(out), mark_links_(mark_links) {}

  void Visit(const GumboNode& node) {
    if (node.type == GUMBO_NODE_TEXT || node.type == GUMBO_NODE_CDATA ||
        node.type == GUMBO_NODE_WHITESPACE) {
      out_.Words(node.v.text.text);
      return;
    }
    if (node.type != GUMBO_NODE_ELEMENT && node.type != GUMBO_NODE_DOCUMENT) return;
    if (node.type == GUMBO_NODE_DOCUMENT) {
      Children(node.v.document.children);
      return;
    }
    const GumboElement& element = node.v.element;
    if (Skipped(element)) return;
    const bool nested_list =
        (element.tag == GUMBO_TAG_UL || element.tag == GUMBO_TAG_OL) && list_depth_ > 0;
    const int apart = nested_list ? 1 : LinesApart(element.tag);
    out_.Break(apart);
    switch (element.tag) {
      case GUMBO_TAG_BR:
        out_.LineBreak();
        break;
      case GUMBO_TAG_IMG:
        out_.Words(Attribute(element, "alt"));
        break;
      case GUMBO_TAG_A:
        Link(element);
        break;
      case GUMBO_TAG_UL:
      case GUMBO_TAG_OL:
        ++list_depth_;
        Children(element.children);
        --list_depth_;
        break;
      case GUMBO_TAG_LI:
        out_.Prefix(std::string(2 * static_cast<size_t>(std::max(list_depth_ - 1, 0)), ' ') + "- ");
        Children(element.children);
        out_.Prefix("");  // an empty item shows nothing
        break;
      default:
        Children(element.children);
        break;
    }
    out_.Break(apart);
  }

 private:
  // Elements nested deeper than any email (kMaxDepth) are left out: the walk recurses.
  void Children(const GumboVector& children) {
    if (depth_ == kMaxDepth) return;
    ++depth_;
    for (unsigned i = 0; i < children.length; ++i) {
      Visit(*static_cast<const GumboNode*>(children.data[i]));
    }
    --depth_;
  }

  void Link(const GumboElement& element) {
    const std::string_view href = Attribute(element, "href");
    if (mark_links_) {
      out_.Words(kLinkTextMark);
      Children(element.children);
      out_.Words(kLinkHrefMark);
      out_.Words(href);
      out_.Words(kLinkEndMark);
      return;
    }
    const size_t start = out_.size();
    Children(element.children);
    std::string_view text = out_.Since(start);
    // The breaks and space written before the text's first word are not the text.
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
      text.remove_prefix(1);
    out_.Words(std::string_view(LinkShown(text, href)).substr(text.size()));
  }

  TextWriter& out_;
  const bool mark_links_;
  int list_depth_ = 0;
  int depth_ = 0;
};

size_t Characters(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// One line wrapped at kWrapColumn at spaces; a list item's continuation lines are
// indented under its text.
void AppendWrapped(std::string& out, std::string_view line) {
  const size_t dash = line.find_first_not_of(' ');
  const bool item = dash != std::string_view::npos && line.substr(dash).starts_with("- ");
  const size_t lead = item ? dash + 2 : 0;
  out.append(line.substr(0, lead));
  size_t column = lead;
  bool first = true;
  for (size_t at = lead; at < line.size();) {
    size_t end = line.find(' ', at);
    if (end == std::string_view::npos) end = line.size();
    const std::string_view word = line.substr(at, end - at);
    at = end + 1;
    if (word.empty()) continue;
    const size_t width = Characters(word);
    if (!first && column + 1 + width > kWrapColumn) {
      out.push_back('\n');
      out.append(lead, ' ');
      column = lead;
    } else if (!first) {
      out.push_back(' ');
      ++column;
    }
    out.append(word);
    column += width;
    first = false;
  }
}

}  // namespace

std::string LinkShown(std::string_view text, std::string_view href) {
  constexpr std::string_view kSpace = " \t\r\n\f";
  const auto trim = [&](std::string_view value) {
    const size_t first = value.find_first_not_of(kSpace);
    if (first == std::string_view::npos) return std::string_view();
    return value.substr(first, value.find_last_not_of(kSpace) - first + 1);
  };
  text = trim(text);
  href = trim(href);
  if (href.empty() || href.front() == '#') return std::string(text);
  if (text.empty()) return std::string(href);
  if (Lower(Bare(text)) == Lower(Bare(href))) return std::string(text);
  std::string shown(text);
  shown.append(" (").append(href).append(")");
  return shown;
}

std::string UnwrappedTextFromHtml(std::string_view html, bool mark_links) {
  GumboOutput* output = gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size());
  TextWriter writer;
  Walker(writer, mark_links).Visit(*output->document);
  gumbo_destroy_output(&kGumboDefaultOptions, output);
  return writer.Take();
}

std::string WrapLines(std::string_view text) {
  std::string wrapped;
  wrapped.reserve(text.size() + text.size() / 32);
  size_t at = 0;
  while (at <= text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    AppendWrapped(wrapped, text.substr(at, end - at));
    if (end < text.size()) wrapped.push_back('\n');
    at = end + 1;
  }
  return wrapped;
}

std::string PlainTextFromHtml(std::string_view html) {
  return WrapLines(UnwrappedTextFromHtml(html));
}

}  // namespace tandem::email
