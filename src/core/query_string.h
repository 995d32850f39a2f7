// Query strings: "a=1&b=x%20y" into decoded name/value pairs.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace tandem {

// Decodes %XX and '+'. Malformed escapes are kept as they are.
std::string UrlDecode(std::string_view text);
// Every byte but the unreserved ones (A-Z a-z 0-9 - . _ ~) as %XX: safe in a query
// string, a header or a link.
std::string UrlEncode(std::string_view text);
// The last value wins when a name repeats.
std::map<std::string, std::string, std::less<>> ParseQuery(std::string_view query);

}  // namespace tandem
