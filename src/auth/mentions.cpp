#include "auth/mentions.h"

#include <cctype>

#include "core/text.h"

namespace tandem {
namespace {

bool WordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Whether lower-case `text` holds "@" and `who` (any case), not inside a longer word or
// address: "@admin" is not "@administration", "@a@x.example" is not "@a".
bool Mentions(const std::string& text, std::string_view who) {
  if (who.empty()) return false;
  const std::string wanted = "@" + LowerAscii(who);
  for (size_t at = text.find(wanted); at != std::string::npos; at = text.find(wanted, at + 1)) {
    const size_t end = at + wanted.size();
    const bool joined_before = at > 0 && (WordChar(text[at - 1]) || text[at - 1] == '.');
    const bool joined_after =
        end < text.size() &&
        (WordChar(text[end]) || text[end] == '_' || text[end] == '-' || text[end] == '@' ||
         (text[end] == '.' && end + 1 < text.size() && WordChar(text[end + 1])));
    if (!joined_before && !joined_after) return true;
  }
  return false;
}

}  // namespace

std::vector<UserRecord> MentionedUsers(std::string_view note, std::span<const UserRecord> users) {
  std::vector<UserRecord> out;
  if (note.find('@') == std::string_view::npos) return out;
  const std::string text = LowerAscii(note);
  for (const UserRecord& user : users) {
    if (user.active && (Mentions(text, user.email) || Mentions(text, user.name))) {
      out.push_back(user);
    }
  }
  return out;
}

}  // namespace tandem
