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
//   stands alone on its line, never broken.
std::string PlainTextFromHtml(std::string_view html);

}  // namespace tandem::email
