#include "email/html_facts.h"

#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace tandem::email {
namespace {

// Calls `each(code_point)` for each character of `text`; false at the first byte that
// is not valid UTF-8 (or when `each` returns false).
template <typename Each>
bool ForEachCodePoint(std::string_view text, Each each) {
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t length = 1;
    uint32_t code = c;
    if (c >= 0x80) {
      if (c >= 0xC2 && c <= 0xDF) {
        length = 2;
        code = c & 0x1F;
      } else if (c >= 0xE0 && c <= 0xEF) {
        length = 3;
        code = c & 0x0F;
      } else if (c >= 0xF0 && c <= 0xF4) {
        length = 4;
        code = c & 0x07;
      } else {
        return false;
      }
      if (i + length > text.size()) return false;
      for (size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        if ((next & 0xC0) != 0x80) return false;
        code = (code << 6) | (next & 0x3F);
      }
      static constexpr uint32_t kLeast[] = {0, 0, 0x80, 0x800, 0x10000};
      if (code < kLeast[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        return false;
    }
    if (!each(code)) return false;
    i += length;
  }
  return true;
}

// isspace's ASCII set, inline: this runs over every byte of text.
bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Appends `text` to `out` with runs of white space as one space: the words a run at a
// time, not a byte at a time.
void AppendCollapsed(std::string& out, std::string_view text) {
  const char* at = text.data();
  const char* const end = at + text.size();
  while (at != end) {
    if (IsSpace(*at)) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
      while (++at != end && IsSpace(*at)) {
      }
      continue;
    }
    const char* word = at;
    while (++at != end && !IsSpace(*at)) {
    }
    out.append(word, static_cast<size_t>(at - word));
  }
}

std::optional<std::string> Attribute(const GumboElement& element, const char* name) {
  const GumboAttribute* attribute = gumbo_get_attribute(&element.attributes, name);
  if (attribute == nullptr) return std::nullopt;
  return std::string(attribute->value);
}

// "120", "120px" → 120; anything else (percentages, "auto") → nullopt.
std::optional<int> Pixels(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value <= 0) return std::nullopt;
  std::string_view rest(end, static_cast<size_t>(text.data() + text.size() - end));
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.back())))
    rest.remove_suffix(1);
  if (!rest.empty() && rest != "px") return std::nullopt;
  return value;
}

// `name: value` in an inline style, lower-case names.
std::optional<std::string_view> StyleValue(std::string_view style, std::string_view name) {
  size_t at = 0;
  while (at < style.size()) {
    size_t end = style.find(';', at);
    if (end == std::string_view::npos) end = style.size();
    std::string_view declaration = style.substr(at, end - at);
    const size_t colon = declaration.find(':');
    if (colon != std::string_view::npos) {
      std::string_view key = declaration.substr(0, colon);
      while (!key.empty() && std::isspace(static_cast<unsigned char>(key.front())))
        key.remove_prefix(1);
      while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back())))
        key.remove_suffix(1);
      if (key == name) return declaration.substr(colon + 1);
    }
    at = end + 1;
  }
  return std::nullopt;
}

HtmlImage ReadImage(const GumboElement& element) {
  HtmlImage image;
  image.src = Attribute(element, "src").value_or("");
  image.alt = Attribute(element, "alt");
  if (auto width = Attribute(element, "width")) image.width = Pixels(*width);
  if (auto height = Attribute(element, "height")) image.height = Pixels(*height);
  if (auto style = Attribute(element, "style")) {
    if (auto width = StyleValue(*style, "width")) image.width = Pixels(*width);
    if (auto height = StyleValue(*style, "height")) image.height = Pixels(*height);
  }
  return image;
}

// The memory of this thread's parses: gumbo makes thousands of small allocations and frees
// them all when the parse is done, so they come from a few large blocks, freed together
// (a third less time than malloc and free for each) and kept for the thread's next parse:
// fresh blocks cost a page fault for every 4 KB touched, about a tenth of the check. At
// most kKeptBlocks are kept between parses; a larger parse frees the rest when it is done.
class ParseArena {
 public:
  static ParseArena& OfThisThread() {
    thread_local ParseArena arena;
    return arena;
  }
  GumboOptions Options() {
    GumboOptions options = kGumboDefaultOptions;
    options.allocator = [](void* self, size_t size) {
      return static_cast<ParseArena*>(self)->Take(size);
    };
    options.deallocator = [](void*, void*) {};  // everything goes with Reset
    options.userdata = this;
    options.max_errors = 0;  // the check reads no parse errors: gumbo need not record them
    return options;
  }
  // Everything taken is free again. REQUIRES: nothing taken is used any more.
  void Reset() {
    large_.clear();
    if (blocks_.size() > kKeptBlocks) blocks_.resize(kKeptBlocks);
    used_ = 0;
    next_ = nullptr;
    left_ = 0;
  }

 private:
  using Block = std::unique_ptr<char[]>;  // new[]: aligned for any scalar, as malloc is
  static constexpr size_t kBlock = 256 * 1024;
  static constexpr size_t kKeptBlocks = 4;  // 1 MB: a 100 KB email's parse
  void* Take(size_t size) {
    size = (size + alignof(std::max_align_t) - 1) & ~(alignof(std::max_align_t) - 1);
    if (size > kBlock) {  // a long text or attribute: its own block, freed by Reset
      large_.push_back(std::make_unique_for_overwrite<char[]>(size));
      return large_.back().get();
    }
    if (size > left_) {
      if (used_ == blocks_.size())
        blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlock));
      next_ = blocks_[used_++].get();
      left_ = kBlock;
    }
    void* taken = next_;
    next_ += size;
    left_ -= size;
    return taken;
  }
  std::vector<Block> blocks_;  // blocks_[0, used_) hold this parse's allocations
  std::vector<Block> large_;
  size_t used_ = 0;
  char* next_ = nullptr;
  size_t left_ = 0;
};

// Resets the arena when the parse's tree is no longer read, even after an exception.
class ArenaReset {
 public:
  explicit ArenaReset(ParseArena& arena) : arena_(arena) {}
  ArenaReset(const ArenaReset&) = delete;
  ArenaReset& operator=(const ArenaReset&) = delete;
  ~ArenaReset() { arena_.Reset(); }

 private:
  ParseArena& arena_;
};

// What gumbo is given instead of the HTML as written. Gumbo hands the tree builder one
// token per character of text, two thirds of a parse of a typical email; the check
// only needs the text back, spaces collapsed. So each run of text between two pieces
// of markup is given as its white space at either end (which the tree builder treats
// apart from other characters) around one placeholder character for what is between,
// and the walk puts the run back in its place. Placeholders are private-use characters
// U+E000 + n (n < 4096: UTF-8 EE xx xx); a document with such a character in it is
// given as written.
//
// Only where a run is certainly text: not a run with a character reference or a
// character the parse would change (KeptAsWritten); not inside a comment, a tag, the
// raw text of style, xmp, iframe, noembed and noframes, or the text of textarea and
// title; and nothing at all after a script, noscript, plaintext, svg or math start tag,
// whose content has rules of its own. The fuzz target html_facts checks that the facts
// equal a parse of the document as written.
class Compactor {
 public:
  explicit Compactor(std::string_view html) : html_(html) {}

  // The document to parse, and in `runs` what each placeholder stands for.
  std::string Run(std::vector<std::string_view>& runs) {
    std::string out;
    if (html_.find('\xEE') != std::string_view::npos) return std::string(html_);
    out.reserve(html_.size() / 2);
    size_t text = 0;  // where the current run of text began
    while (at_ < html_.size()) {
      if (html_[at_] != '<') {
        ++at_;
        continue;
      }
      const size_t markup = at_;
      const Markup kind = ReadMarkup();
      if (kind == Markup::kNone) continue;  // a '<' that is text
      AppendRun(out, html_.substr(text, markup - text), runs);
      out.append(html_.substr(markup, at_ - markup));
      text = at_;
      if (kind == Markup::kStop) break;
      if (kind == Markup::kRawText) {
        SkipToEndTag();
        out.append(html_.substr(text, at_ - text));
        text = at_;
      }
    }
    if (at_ < html_.size()) {
      out.append(html_.substr(text));
    } else {
      AppendRun(out, html_.substr(text), runs);
    }
    return out;
  }

 private:
  enum class Markup { kNone, kPlain, kRawText, kStop };
  static constexpr size_t kMaxRuns = 4096;

  static bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
  static bool IsHtmlSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
  }
  static char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

  void AppendRun(std::string& out, std::string_view run, std::vector<std::string_view>& runs) {
    size_t first = 0, last = run.size();
    while (first < last && IsHtmlSpace(run[first])) ++first;
    while (last > first && IsHtmlSpace(run[last - 1])) --last;
    const std::string_view core = run.substr(first, last - first);
    if (core.size() < 4 || runs.size() >= kMaxRuns || core.find('&') != std::string_view::npos ||
        !KeptAsWritten(core)) {
      out.append(run);
      return;
    }
    out.append(run.substr(0, first));
    const size_t code = 0xE000 + runs.size();
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    out.append(run.substr(last));
    runs.push_back(core);
  }

  // At a '<': reads the markup it begins (to just after it), or, when it begins none,
  // steps over the '<' alone.
  Markup ReadMarkup() {
    const std::string_view rest = html_.substr(at_);
    if (rest.starts_with("<!--")) {
      SkipComment();
      return Markup::kPlain;
    }
    if (rest.size() >= 2 && (rest[1] == '!' || rest[1] == '?')) {
      SkipPast('>');  // a doctype or a bogus comment
      return Markup::kPlain;
    }
    if (rest.size() >= 3 && rest[1] == '/' && IsAlpha(rest[2])) {
      at_ += 2;
      ReadName();
      ReadAttributes();
      return Markup::kPlain;
    }
    if (rest.size() >= 3 && rest[1] == '/' && rest[2] == '>') {
      at_ += 3;
      return Markup::kPlain;
    }
    if (rest.size() >= 2 && rest[1] == '/') {
      SkipPast('>');
      return Markup::kPlain;
    }
    if (rest.size() >= 2 && IsAlpha(rest[1])) {
      at_ += 1;
      const std::string name = ReadName();
      ReadAttributes();
      if (name == "script" || name == "noscript" || name == "plaintext" || name == "svg" ||
          name == "math")
        return Markup::kStop;
      if (name == "style" || name == "xmp" || name == "iframe" || name == "noembed" ||
          name == "noframes" || name == "textarea" || name == "title") {
        raw_end_ = "</" + name;
        return Markup::kRawText;
      }
      return Markup::kPlain;
    }
    ++at_;
    return Markup::kNone;
  }

  void SkipPast(char c) {
    const size_t end = html_.find(c, at_);
    at_ = end == std::string_view::npos ? html_.size() : end + 1;
  }

  // "<!-->" and "<!--->" end where they begin; otherwise "-->" or "--!>" ends a comment.
  void SkipComment() {
    const std::string_view body = html_.substr(at_ + 4);
    if (body.starts_with(">")) {
      at_ += 5;
      return;
    }
    if (body.starts_with("->")) {
      at_ += 6;
      return;
    }
    const size_t close = body.find("-->"), bang = body.find("--!>");
    if (close == std::string_view::npos && bang == std::string_view::npos) {
      at_ = html_.size();
    } else if (bang == std::string_view::npos ||
               (close != std::string_view::npos && close < bang)) {
      at_ += 4 + close + 3;
    } else {
      at_ += 4 + bang + 4;
    }
  }

  std::string ReadName() {
    std::string name;
    while (at_ < html_.size() && !IsHtmlSpace(html_[at_]) && html_[at_] != '/' &&
           html_[at_] != '>') {
      name.push_back(Lower(html_[at_++]));
    }
    return name;
  }

  // The rest of a tag, to just after its '>' (or the end of the document).
  void ReadAttributes() {
    while (at_ < html_.size()) {
      const char c = html_[at_];
      if (c == '>') {
        ++at_;
        return;
      }
      if (IsHtmlSpace(c) || c == '/') {
        ++at_;
        continue;
      }
      const size_t name = at_;  // a name may begin with '='
      while (at_ < html_.size() && !IsHtmlSpace(html_[at_]) && html_[at_] != '/' &&
             html_[at_] != '>' && (html_[at_] != '=' || at_ == name)) {
        ++at_;
      }
      size_t next = at_;
      while (next < html_.size() && IsHtmlSpace(html_[next])) ++next;
      if (next >= html_.size() || html_[next] != '=') {
        at_ = next;
        continue;
      }
      at_ = next + 1;
      while (at_ < html_.size() && IsHtmlSpace(html_[at_])) ++at_;
      if (at_ >= html_.size()) return;
      const char quote = html_[at_];
      if (quote == '"' || quote == '\'') {
        const size_t end = html_.find(quote, at_ + 1);
        at_ = end == std::string_view::npos ? html_.size() : end + 1;
        continue;
      }
      while (at_ < html_.size() && !IsHtmlSpace(html_[at_]) && html_[at_] != '>') ++at_;
    }
  }

  // Past the raw text of the element raw_end_ closes, to the '<' of its end tag.
  void SkipToEndTag() {
    for (size_t from = at_; from < html_.size();) {
      const size_t lt = html_.find("</", from);
      if (lt == std::string_view::npos) break;
      size_t k = 0;
      while (k < raw_end_.size() && lt + k < html_.size() && Lower(html_[lt + k]) == raw_end_[k]) {
        ++k;
      }
      const size_t after = lt + raw_end_.size();
      if (k == raw_end_.size() && (after >= html_.size() || IsHtmlSpace(html_[after]) ||
                                   html_[after] == '/' || html_[after] == '>')) {
        at_ = lt;
        return;
      }
      from = lt + 2;
    }
    at_ = html_.size();
  }

  std::string_view html_;
  size_t at_ = 0;
  std::string raw_end_;
};

// Appends a text node's text to `out` (spaces collapsed), each placeholder as its run.
void AppendText(std::string& out, std::string_view text,
                const std::vector<std::string_view>& runs) {
  size_t from = 0;
  for (size_t at = text.find('\xEE'); at != std::string_view::npos; at = text.find('\xEE', at)) {
    if (at + 3 > text.size()) break;
    const size_t n = ((static_cast<unsigned char>(text[at + 1]) & 0x3F) << 6) |
                     (static_cast<unsigned char>(text[at + 2]) & 0x3F);
    if (n >= runs.size()) {
      at += 1;
      continue;
    }
    AppendCollapsed(out, text.substr(from, at - from));
    AppendCollapsed(out, runs[n]);
    at += 3;
    from = at;
  }
  AppendCollapsed(out, text.substr(from));
}

class Walker {
 public:
  Walker(HtmlFacts& out, const std::vector<std::string_view>& runs) : out_(out), runs_(runs) {}

  void Visit(const GumboNode& node) {
    if (node.type == GUMBO_NODE_TEXT || node.type == GUMBO_NODE_CDATA) {
      AppendText(out_.text, node.v.text.text, runs_);
      if (link_ != nullptr) AppendText(link_->text, node.v.text.text, runs_);
      return;
    }
    if (node.type != GUMBO_NODE_ELEMENT && node.type != GUMBO_NODE_TEMPLATE) return;
    const GumboElement& element = node.v.element;
    switch (element.tag) {
      case GUMBO_TAG_SCRIPT:
      case GUMBO_TAG_STYLE:
      case GUMBO_TAG_HEAD:
        return;
      case GUMBO_TAG_IMG:
        out_.images.push_back(ReadImage(element));
        return;
      case GUMBO_TAG_BR:
      case GUMBO_TAG_P:
      case GUMBO_TAG_DIV:
      case GUMBO_TAG_TD:
      case GUMBO_TAG_LI:
        AppendCollapsed(out_.text, " ");
        break;
      default:
        break;
    }
    const bool opens_link = element.tag == GUMBO_TAG_A && link_ == nullptr;
    if (opens_link) {
      out_.links.push_back(HtmlLink{Attribute(element, "href").value_or(""), ""});
      link_ = &out_.links.back();
    }
    for (unsigned i = 0; i < element.children.length; ++i)
      Visit(*static_cast<const GumboNode*>(element.children.data[i]));
    if (opens_link) {
      while (!link_->text.empty() && link_->text.back() == ' ') link_->text.pop_back();
      if (!link_->text.empty() && link_->text.front() == ' ') link_->text.erase(0, 1);
      link_ = nullptr;
    }
  }

 private:
  HtmlFacts& out_;
  const std::vector<std::string_view>& runs_;  // what each placeholder stands for
  HtmlLink* link_ = nullptr;  // stays valid: links are appended only when none is open
};

HtmlFacts Read(const std::string& html, bool compact) {
  HtmlFacts facts;
  facts.text.reserve(html.size() / 2);  // most of an email's text fits: few reallocations
  std::vector<std::string_view> runs;
  const std::string parsed = compact ? Compactor(html).Run(runs) : std::string();
  const std::string& given = compact ? parsed : html;
  ParseArena& arena = ParseArena::OfThisThread();
  const ArenaReset reset(arena);
  const GumboOptions options = arena.Options();
  GumboOutput* output = gumbo_parse_with_options(&options, given.data(), given.size());
  Walker(facts, runs).Visit(*output->root);
  // No gumbo_destroy_output: the arena's Reset frees the whole tree at once.
  while (!facts.text.empty() && facts.text.back() == ' ') facts.text.pop_back();
  if (!facts.text.empty() && facts.text.front() == ' ') facts.text.erase(0, 1);
  return facts;
}

}  // namespace

bool KeptAsWritten(std::string_view text) {
  return ForEachCodePoint(text, [](uint32_t c) {
    if (c < 0x20) return c == '\t' || c == '\n' || c == '\f';
    if (c >= 0x7F && c <= 0x9F) return false;      // DEL, C1
    if (c >= 0xFDD0 && c <= 0xFDEF) return false;  // noncharacters
    return (c & 0xFFFE) != 0xFFFE;                 // U+xFFFE, U+xFFFF
  });
}

bool IsValidUtf8(std::string_view text) {
  return ForEachCodePoint(text, [](uint32_t) { return true; });
}

HtmlFacts ReadHtml(const std::string& html) { return Read(html, /*compact=*/true); }

HtmlFacts ReadHtmlAsWritten(const std::string& html) { return Read(html, /*compact=*/false); }

}  // namespace tandem::email
