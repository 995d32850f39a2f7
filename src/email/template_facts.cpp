#include "email/template_facts.h"

#include <cstdint>
#include <string_view>
#include <utility>

namespace tandem::email {
namespace {

// Field i's marker: U+E000 + i, from the private use area, in UTF-8. A template has
// fewer than 256 fields, so every marker is EE 80..83 xx.
std::string Marker(size_t field) {
  const uint32_t code = 0xE000 + static_cast<uint32_t>(field);
  std::string out;
  out.push_back(static_cast<char>(0xE0 | (code >> 12)));
  out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
  out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  return out;
}

constexpr size_t kMarkerBytes = 3;

// The field whose marker starts at `at`, if one does.
std::optional<size_t> MarkerAt(std::string_view text, size_t at) {
  if (at + kMarkerBytes > text.size()) return std::nullopt;
  const auto b0 = static_cast<unsigned char>(text[at]);
  const auto b1 = static_cast<unsigned char>(text[at + 1]);
  const auto b2 = static_cast<unsigned char>(text[at + 2]);
  if (b0 != 0xEE || b1 < 0x80 || b1 > 0x83 || (b2 & 0xC0) != 0x80) return std::nullopt;
  return static_cast<size_t>(((b1 & 0x3F) << 6) | (b2 & 0x3F));
}

bool HasMarker(std::string_view text) {
  for (size_t at = text.find('\xEE'); at != std::string_view::npos;
       at = text.find('\xEE', at + 1)) {
    if (MarkerAt(text, at)) return true;
  }
  return false;
}

std::string_view TrimSpace(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// Whether a value reaches the facts as written wherever the template shows it: kept by
// the parser (KeptAsWritten), without a form feed, a line separator or a paragraph
// separator (the subject and preheader make them spaces) and without a marker.
bool ParsesAsItself(std::string_view value) {
  if (!KeptAsWritten(value) || value.find('\f') != std::string_view::npos) return false;
  for (std::string_view bad : {"\xE2\x80\xA8", "\xE2\x80\xA9"}) {
    if (value.find(bad) != std::string_view::npos) return false;
  }
  return !HasMarker(value);
}

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Whether a value in place of the marker at `at` could join what comes before it into a
// tag ("<" or "</" then the value) or a character reference ("&", "&am" then the value).
bool JoinsWhatPrecedes(std::string_view html, size_t at) {
  if (at >= 1 && html[at - 1] == '<') return true;
  if (at >= 2 && html[at - 2] == '<' && html[at - 1] == '/') return true;
  size_t run = at;
  while (run > 0 && (IsAsciiAlnum(html[run - 1]) || html[run - 1] == '#')) --run;
  return run > 0 && html[run - 1] == '&';
}

// Whether every marker in `html` (a document rendered with markers for values) is where
// a value is plain text or a whole quoted attribute of an element other than an image:
// the places where replacing the marker in the parsed facts equals parsing the value.
// Conservative: markup it does not follow makes a marker in it not plain.
class MarkerPlaces {
 public:
  explicit MarkerPlaces(std::string_view html) : html_(html) {}

  bool AllPlain() {
    for (size_t at = 0; at < html_.size(); ++at) {
      if (MarkerAt(html_, at) && JoinsWhatPrecedes(html_, at)) return false;
    }
    while (at_ < html_.size()) {
      if (html_[at_] != '<') {
        ++at_;
        continue;
      }
      if (html_.substr(at_).starts_with("<!--")) {
        const size_t end = html_.find("-->", at_ + 4);
        at_ = end == std::string_view::npos ? html_.size() : end + 3;
      } else if (at_ + 1 < html_.size() && (html_[at_ + 1] == '!' || html_[at_ + 1] == '?')) {
        const size_t end = html_.find('>', at_);
        at_ = end == std::string_view::npos ? html_.size() : end + 1;
      } else if (StartsTag()) {
        if (!Tag()) return false;
      } else {
        ++at_;
      }
    }
    return true;
  }

 private:
  bool StartsTag() const {
    size_t name = at_ + 1;
    if (name < html_.size() && html_[name] == '/') ++name;
    if (name >= html_.size()) return false;
    const char c = LowerAscii(html_[name]);
    return c >= 'a' && c <= 'z';
  }

  // Reads the tag at at_ up to its '>'; false when a marker is in it but not plain.
  bool Tag() {
    ++at_;
    if (html_[at_] == '/') ++at_;
    std::string name;
    while (at_ < html_.size() && !IsHtmlSpace(html_[at_]) && html_[at_] != '/' &&
           html_[at_] != '>') {
      if (MarkerAt(html_, at_)) return false;
      name.push_back(LowerAscii(html_[at_++]));
    }
    const bool image = name == "img" || name == "image";
    while (at_ < html_.size()) {
      const char c = html_[at_];
      if (c == '>') {
        ++at_;
        return true;
      }
      if (IsHtmlSpace(c) || c == '/') {
        ++at_;
        continue;
      }
      // An attribute's name (which may begin with "="), then perhaps its value.
      const size_t name_start = at_;
      while (at_ < html_.size() && !IsHtmlSpace(html_[at_]) && html_[at_] != '/' &&
             html_[at_] != '>' && (html_[at_] != '=' || at_ == name_start)) {
        if (MarkerAt(html_, at_)) return false;
        ++at_;
      }
      size_t next = at_;
      while (next < html_.size() && IsHtmlSpace(html_[next])) ++next;
      if (next >= html_.size() || html_[next] != '=') continue;
      at_ = next + 1;
      while (at_ < html_.size() && IsHtmlSpace(html_[at_])) ++at_;
      if (at_ >= html_.size()) return true;
      const char quote = html_[at_];
      if (quote == '"' || quote == '\'') {
        size_t end = html_.find(quote, at_ + 1);
        if (end == std::string_view::npos) end = html_.size();
        if (image && HasMarker(html_.substr(at_ + 1, end - at_ - 1))) return false;
        at_ = end + 1;
        continue;
      }
      while (at_ < html_.size() && !IsHtmlSpace(html_[at_]) && html_[at_] != '>') {
        if (MarkerAt(html_, at_)) return false;
        ++at_;
      }
    }
    return true;
  }

  std::string_view html_;
  size_t at_ = 0;
};

// `marked` with each marker replaced by its field's value; with `collapse`, runs of
// white space in a value as one space (as the parse leaves text).
std::string Replaced(std::string_view marked, const std::vector<std::string>& values,
                     bool collapse) {
  std::string out;
  out.reserve(marked.size() + 64);
  size_t from = 0;
  for (size_t at = marked.find('\xEE'); at != std::string_view::npos;
       at = marked.find('\xEE', at)) {
    const std::optional<size_t> field = MarkerAt(marked, at);
    if (!field || *field >= values.size()) {
      ++at;
      continue;
    }
    out.append(marked.substr(from, at - from));
    const std::string& value = values[*field];
    if (!collapse) {
      out.append(value);
    } else {
      bool space = false;
      for (char c : value) {
        if (c == ' ' || c == '\t' || c == '\n') {
          space = true;
          continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(c);
      }
    }
    at += kMarkerBytes;
    from = at;
  }
  out.append(marked.substr(from));
  return out;
}

HtmlFacts Derived(const HtmlFacts& marked, const std::vector<std::string>& values) {
  HtmlFacts facts;
  facts.text = Replaced(marked.text, values, /*collapse=*/true);
  facts.links.reserve(marked.links.size());
  for (const HtmlLink& link : marked.links) {
    facts.links.push_back(
        {Replaced(link.href, values, false), Replaced(link.text, values, /*collapse=*/true)});
  }
  facts.images.reserve(marked.images.size());
  for (const HtmlImage& image : marked.images) {
    HtmlImage derived = image;
    derived.src = Replaced(image.src, values, false);
    if (image.alt) derived.alt = Replaced(*image.alt, values, false);
    facts.images.push_back(std::move(derived));
  }
  return facts;
}

}  // namespace

TemplateHtmlFacts::TemplateHtmlFacts(CompiledTemplate compiled) : compiled_(std::move(compiled)) {
  const EmailTemplate& t = compiled_.source();
  // Broken UTF-8 beside a marker could swallow it, or the start of a value.
  markable_ = compiled_.fields_used().size() <= 0x100 && IsValidUtf8(t.subject) &&
              IsValidUtf8(t.preheader) && IsValidUtf8(t.html) && !HasMarker(t.subject) &&
              !HasMarker(t.preheader) && !HasMarker(t.html);
}

HtmlFacts TemplateHtmlFacts::Parse(const std::string& html) {
  ++parses_;
  return ReadHtml(html);
}

std::optional<std::vector<std::string>> TemplateHtmlFacts::Values(const MergeValues& values) const {
  const std::vector<std::string>& fields = compiled_.fields_used();
  std::vector<std::string> out(fields.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto it = values.find(fields[i]);
    if (it == values.end()) continue;
    const std::string_view value = TrimSpace(it->second);
    if (!ParsesAsItself(value)) return std::nullopt;
    out[i] = value;
  }
  return out;
}

std::optional<HtmlFacts> TemplateHtmlFacts::Marked(const std::vector<std::string>& values) const {
  const std::vector<std::string>& fields = compiled_.fields_used();
  MergeValues markers;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (!values[i].empty()) markers.emplace(fields[i], Marker(i));
  }
  auto rendered = compiled_.Render(markers);
  const auto* email = std::get_if<RenderedEmail>(&rendered);
  if (email == nullptr || !MarkerPlaces(email->html).AllPlain()) return std::nullopt;
  return ReadHtml(email->html);
}

HtmlFacts TemplateHtmlFacts::For(const MergeValues& values, const std::string& html) {
  if (!markable_) return Parse(html);
  const std::optional<std::vector<std::string>> own = Values(values);
  if (!own) return Parse(html);
  std::vector<bool> present(own->size());
  for (size_t i = 0; i < own->size(); ++i) present[i] = !(*own)[i].empty();
  auto [it, first] = shapes_.try_emplace(std::move(present));
  Shape& shape = it->second;
  if (first) {
    HtmlFacts parsed = Parse(html);
    shape.marked = Marked(*own);
    if (shape.marked) ++parses_;
    if (shape.marked && Derived(*shape.marked, *own) != parsed) shape.marked.reset();
    return parsed;
  }
  if (!shape.marked) return Parse(html);
  return Derived(*shape.marked, *own);
}

}  // namespace tandem::email
