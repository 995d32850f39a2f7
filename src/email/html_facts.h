// What the pre-send check reads of an email's HTML: its visible text, its links and its
// images, with their attributes as written.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tandem::email {

struct HtmlLink {
  std::string href;
  std::string text;  // the visible text inside the link, spaces collapsed
};

struct HtmlImage {
  std::string src;
  std::optional<std::string> alt;  // absent attribute vs alt=""
  std::optional<int> width;        // the box it is shown in: attribute or inline style
  std::optional<int> height;
};

struct HtmlFacts {
  std::string text;  // visible text (not script, style or head), spaces collapsed
  std::vector<HtmlLink> links;
  std::vector<HtmlImage> images;
};

// Parses `html` the way browsers do (gumbo): never fails; broken markup is repaired.
// Thread-safe. Each thread that parses keeps up to 1 MB of parse memory for its next parse.
HtmlFacts ReadHtml(const std::string& html);

}  // namespace tandem::email
