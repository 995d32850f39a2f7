// Fuzz target: what the pre-send check reads of an email's HTML (email/html_facts.h).
// Input: any bytes, as an email's HTML. Whatever the input: the facts read with runs of
// text given to the parser as placeholders equal the facts of the document as written.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "email/html_facts.h"

namespace {

void Require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tandem::email;
  const std::string html(reinterpret_cast<const char*>(data), size);
  Require(ReadHtml(html) == ReadHtmlAsWritten(html));
  return 0;
}
