// What the pre-send check reads of an email's HTML: its visible text, its links and its
// images, with their attributes as written.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::email {

struct HtmlLink {
  std::string href;
  std::string text;  // the visible text inside the link, spaces collapsed
  friend bool operator==(const HtmlLink&, const HtmlLink&) = default;
};

struct HtmlImage {
  std::string src;
  std::optional<std::string> alt;  // absent attribute vs alt=""
  std::optional<int> width;        // the box it is shown in: attribute or inline style
  std::optional<int> height;
  friend bool operator==(const HtmlImage&, const HtmlImage&) = default;
};

struct HtmlFacts {
  std::string text;  // visible text (not script, style or head), spaces collapsed
  std::vector<HtmlLink> links;
  std::vector<HtmlImage> images;
  friend bool operator==(const HtmlFacts&, const HtmlFacts&) = default;
};

// Parses `html` the way browsers do (gumbo): never fails; broken markup is repaired.
// Thread-safe. Each thread that parses keeps up to 1 MB of parse memory for its next parse.
// Runs of plain text reach the parser as one placeholder character each (a third of the
// time of giving it every character); the facts are those of the document as written.
HtmlFacts ReadHtml(const std::string& html);

// Whether an HTML parser keeps `text` as written, character for character, in text and
// in attribute values: valid UTF-8 without NUL, carriage returns, other control characters
// (but tab, line feed and form feed), DEL, C1 controls and noncharacters, which a parser
// replaces or normalizes. Character references are not looked at.
bool KeptAsWritten(std::string_view text);

// Whether `text` is valid UTF-8 (shortest forms, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view text);

// The same, giving the parser every character as written: what ReadHtml must equal (the
// tests and the html_facts fuzz target compare them).
HtmlFacts ReadHtmlAsWritten(const std::string& html);

}  // namespace tandem::email
