#include "email/html_facts.h"

#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <string_view>
#include <vector>

namespace tandem::email {
namespace {

// isspace's ASCII set, inline: this runs over every byte of text.
bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Appends `text` to `out` with runs of white space as one space.
void AppendCollapsed(std::string& out, std::string_view text) {
  for (char c : text) {
    if (IsSpace(c)) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
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

// The memory of one parse: gumbo makes thousands of small allocations and frees them all
// when the parse is done, so they come from a few large blocks freed together (a third
// less time than malloc and free for each). Bounded by a small multiple of the input.
class ParseArena {
 public:
  ParseArena() = default;
  ParseArena(const ParseArena&) = delete;
  ParseArena& operator=(const ParseArena&) = delete;
  ~ParseArena() {
    for (char* block : blocks_) std::free(block);
  }
  GumboOptions Options() {
    GumboOptions options = kGumboDefaultOptions;
    options.allocator = [](void* self, size_t size) {
      return static_cast<ParseArena*>(self)->Take(size);
    };
    options.deallocator = [](void*, void*) {};  // everything goes with the arena
    options.userdata = this;
    return options;
  }

 private:
  static constexpr size_t kBlock = 256 * 1024;
  void* Take(size_t size) {
    size = (size + alignof(std::max_align_t) - 1) & ~(alignof(std::max_align_t) - 1);
    if (size > left_) {
      const size_t block = std::max(size, kBlock);
      char* memory = static_cast<char*>(std::malloc(block));
      if (memory == nullptr) throw std::bad_alloc();
      blocks_.push_back(memory);
      next_ = memory;
      left_ = block;
    }
    void* taken = next_;
    next_ += size;
    left_ -= size;
    return taken;
  }
  std::vector<char*> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
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
  ParseArena arena;
  const GumboOptions options = arena.Options();
  GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
  Walker(facts).Visit(*output->root);
  // No gumbo_destroy_output: the arena frees the whole tree at once.
  while (!facts.text.empty() && facts.text.back() == ' ') facts.text.pop_back();
  if (!facts.text.empty() && facts.text.front() == ' ') facts.text.erase(0, 1);
  return facts;
}

}  // namespace tandem::email
