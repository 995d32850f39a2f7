#include "email/html_facts.h"

#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace tandem::email {
namespace {

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

class Walker {
 public:
  explicit Walker(HtmlFacts& out) : out_(out) {}

  void Visit(const GumboNode& node) {
    if (node.type == GUMBO_NODE_TEXT || node.type == GUMBO_NODE_CDATA) {
      AppendCollapsed(out_.text, node.v.text.text);
      if (link_ != nullptr) AppendCollapsed(link_->text, node.v.text.text);
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
  HtmlLink* link_ = nullptr;  // stays valid: links are appended only when none is open
};

}  // namespace

HtmlFacts ReadHtml(const std::string& html) {
  HtmlFacts facts;
  facts.text.reserve(html.size() / 2);  // most of an email's text fits: few reallocations
  ParseArena& arena = ParseArena::OfThisThread();
  const ArenaReset reset(arena);
  const GumboOptions options = arena.Options();
  GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
  Walker(facts).Visit(*output->root);
  // No gumbo_destroy_output: the arena's Reset frees the whole tree at once.
  while (!facts.text.empty() && facts.text.back() == ' ') facts.text.pop_back();
  if (!facts.text.empty() && facts.text.front() == ' ') facts.text.erase(0, 1);
  return facts;
}

}  // namespace tandem::email
