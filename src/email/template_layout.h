// Tandem's default layout: the document a template's body is placed in. For marketing
// email it carries what the law asks of every broadcast (the one-click unsubscribe
// link and the sender's postal address); for one-to-one sales email it is a bare
// wrapper, no footer and no signature. Pure.
#pragma once

#include <string>
#include <string_view>

#include "contact/channel.h"

namespace tandem::email {

struct LayoutValues {
  std::string_view subject;    // rendered, one line
  std::string_view preheader;  // rendered, one line; "" = none
  std::string_view company_name;
  std::string_view postal_address;
  std::string_view unsubscribe_url;
  std::string_view preferences_url;  // "" = no preferences link
};

// The whole HTML document: `body_html` (already rendered and escaped) inside the layout
// for `purpose`, the preheader as hidden text at the top. The values are escaped here.
// REQUIRES: for kEmailMarketing, company_name, postal_address and unsubscribe_url are
// not empty (the caller reports them missing instead).
std::string WrapInDefaultLayout(Purpose purpose, std::string_view body_html,
                                const LayoutValues& values);

// The class the hidden preheader carries; the plain-text part leaves it out.
inline constexpr std::string_view kPreheaderClass = "preheader";

}  // namespace tandem::email
