// The plain-text part of an email, derived from its HTML: what a text-only client
// shows, and what spam filters compare with the HTML. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tandem::email {

// `html` as readable text, parsed the way browsers do (gumbo; never fails):
// - block elements and <br> end a line; paragraphs and headings stand apart by a blank
//   line; list items begin with "- " (indented two spaces per nested list);
// - a link is "text (url)", or only its text when the text is the address itself, or
//   only the address when it has no text; same-page (#) links are just their text;
// - an image is its alt text; <head>, <style>, <script>, hidden elements (display:none,
//   the hidden attribute) and the layout's preheader are left out;
// - entities are decoded, runs of white space are one space (non-breaking ones too);
// - lines are wrapped at 76 characters at spaces; a word or address longer than that
//   stands alone on its line, never broken;
// - elements nested over 1,000 deep are left out.
std::string PlainTextFromHtml(std::string_view html);

// PlainTextFromHtml in its two steps, for a caller that changes the text in between (a
// compiled template puts each recipient's values in): the text with its line breaks but
// unwrapped, and then its lines wrapped.
// With `mark_links`, each link is left for the caller to resolve: written as
// kLinkTextMark, its text, kLinkHrefMark, its href, kLinkEndMark (see LinkShown).
std::string UnwrappedTextFromHtml(std::string_view html, bool mark_links = false);
std::string WrapLines(std::string_view text);

// What the text shows of a link with visible `text` leading to `href`: "text (href)",
// only the text (no href, a same-page one, or one the text shows), or only the href.
std::string LinkShown(std::string_view text, std::string_view href);

// Private-use characters U+E004..U+E006, which no email is expected to hold.
inline constexpr std::string_view kLinkTextMark = "\xEE\x80\x84";
inline constexpr std::string_view kLinkHrefMark = "\xEE\x80\x85";
inline constexpr std::string_view kLinkEndMark = "\xEE\x80\x86";

}  // namespace tandem::email
