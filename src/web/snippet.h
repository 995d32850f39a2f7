// The website snippet's source (web/snippet/t.js), built into the binary. Its last line
// names __TANDEM_CONFIG__, which the server replaces with the source's settings.
#pragma once

#include <string_view>

namespace tandem {

std::string_view SnippetJavaScript();

}  // namespace tandem
