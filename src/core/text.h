// Small ASCII text helpers shared across the tree (names, keys, event names are ASCII
// case-insensitive; anything else is compared byte for byte).
#pragma once

#include <string>
#include <string_view>

namespace tandem {

bool EqualsNoCase(std::string_view a, std::string_view b);
bool ContainsNoCase(std::string_view haystack, std::string_view needle);
std::string LowerAscii(std::string_view text);
// `text` without leading and trailing spaces, tabs and line breaks.
std::string_view TrimSpace(std::string_view text);
// `text` safe inside HTML elements and quoted attributes.
std::string HtmlEscape(std::string_view text);
// `text` safe as one line of a mail header or a notification subject: CR, LF, tabs,
// other control characters and Unicode line separators become spaces, runs of spaces
// collapse to one, the ends are trimmed, and it is cut (at a UTF-8 character
// boundary, with "…") to at most `max_bytes`.
std::string HeaderText(std::string_view text, size_t max_bytes = 200);

// `text` as valid UTF-8: every byte that does not begin a well-formed sequence
// (overlong forms, surrogates and code points past U+10FFFF are not) becomes U+FFFD.
std::string ValidUtf8(std::string_view text);

// The first `chars` characters of UTF-8 `text` (all of it when shorter): cut before a
// lead byte, never inside a sequence, counting characters as SQL's SUBSTR does.
std::string_view FirstChars(std::string_view text, size_t chars);

// Whether `path` matches the glob `pattern` ('*' any run of characters, '?' one).
bool GlobMatch(std::string_view pattern, std::string_view path);

}  // namespace tandem
