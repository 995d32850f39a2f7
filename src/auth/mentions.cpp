#include "auth/mentions.h"

#include "core/text.h"

namespace tandem {

std::vector<UserRecord> MentionedUsers(std::string_view note, std::span<const UserRecord> users) {
  std::vector<UserRecord> out;
  if (note.find('@') == std::string_view::npos) return out;
  const std::string text = LowerAscii(note);
  for (const UserRecord& user : users) {
    if (!user.active) continue;
    const bool by_email =
        !user.email.empty() && text.find("@" + LowerAscii(user.email)) != std::string::npos;
    const bool by_name =
        !user.name.empty() && text.find("@" + LowerAscii(user.name)) != std::string::npos;
    if (by_email || by_name) out.push_back(user);
  }
  return out;
}

}  // namespace tandem
