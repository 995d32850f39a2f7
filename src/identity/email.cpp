#include "identity/email.h"

#include <algorithm>

namespace tandem {

std::string NormalizeEmail(std::string_view raw) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!raw.empty() && is_space(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && is_space(raw.back())) raw.remove_suffix(1);
  if (raw.size() > 254) return "";
  auto at = raw.find('@');
  if (at == std::string_view::npos || at == 0 || raw.find('@', at + 1) != std::string_view::npos) {
    return "";
  }
  std::string_view domain = raw.substr(at + 1);
  auto dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return "";
  if (std::any_of(raw.begin(), raw.end(),
                  [&](char c) { return is_space(c) || static_cast<unsigned char>(c) < 0x20; })) {
    return "";
  }
  std::string out(raw);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

}  // namespace tandem
