// The plain-text part of a compiled template, derived once instead of per recipient.
// Parsing HTML (gumbo) costs about a millisecond for a 20 KB email, a hundred times
// rendering it; so the template's document is parsed once with markers where its merge
// fields and sections are, and each recipient's text is that text with the markers
// resolved. The compiled template checks the result against full parses before it
// relies on it (template.cpp). Immutable once built: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "email/template_program.h"

namespace tandem::email {

struct TextPiece {
  enum class Kind {
    kText,      // `text`, as is
    kValue,     // the field's value, white space collapsed
    kBegin,     // a section: shown when the field has a value (`when_present`) or has none
    kEnd,       // the innermost section ends
    kLinkText,  // a link's text follows,
    kLinkHref,  // then its address,
    kLinkEnd,   // and here what the text shows of them (LinkShown) is decided
  };
  Kind kind = Kind::kText;
  std::string text;
  size_t field = 0;
  bool when_present = true;
};

// The marker a field's value stands for in a marked document (for the layout's values).
std::string FieldMarker(size_t field);

// `html` as HTML with markers instead of merge fields and around sections (a shorthand
// fallback is two sections: the value, or the fallback's HTML).
std::string MarkedHtml(const PartProgram& html);

// The unwrapped plain text of a marked document, cut at its markers.
std::vector<TextPiece> MarkedText(std::string_view marked_document);

// One recipient's plain-text part: the pieces resolved with `values`, white space and
// blank lines tidied the way PlainTextFromHtml leaves them, lines wrapped.
std::string RenderText(const std::vector<TextPiece>& pieces, FieldValues values);

}  // namespace tandem::email
