// Email addresses as identities.
#pragma once

#include <string>
#include <string_view>

namespace tandem {

// Trims and lower-cases an address; returns "" when it is not a plausible address
// (one '@', a non-empty local part, a domain with a dot, no spaces).
std::string NormalizeEmail(std::string_view raw);

}  // namespace tandem
