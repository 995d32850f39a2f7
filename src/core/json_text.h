// Writing JSON text by hand on hot paths, where building a DOM would cost too much.
#pragma once

#include <string>
#include <string_view>

namespace tandem {

// Appends `text` as a quoted JSON string, escaping quotes, backslashes and control
// characters. REQUIRES: `text` is valid UTF-8.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace tandem
