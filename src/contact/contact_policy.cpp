#include "contact/contact_policy.h"

namespace tandem {

const std::vector<std::string>& AddressSources() {
  static const std::vector<std::string> sources = {"form",   "event",     "api",
                                                   "import", "purchased", "harvested"};
  return sources;
}

}  // namespace tandem
