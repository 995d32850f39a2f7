// Fuzz target: tandem.toml (config/config.h). Any text is a valid configuration or an
// error that names the file; the parser never crashes on what an operator (or a
// template engine) might write.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = tandem::ParseConfig(text, "fuzz.toml");
  if (!config.ok() && config.status().message().find("fuzz.toml") == std::string::npos) {
    std::abort();
  }
  return 0;
}
