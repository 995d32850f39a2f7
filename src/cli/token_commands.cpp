// `tandem token create|list|revoke`: API tokens from the command line, for the operator
// (the API's /api/v1/tokens is the same for users).
#include <fmt/format.h>

#include <charconv>
#include <iostream>
#include <nlohmann/json.hpp>

#include "auth/tokens.h"
#include "cli/audit_commands.h"
#include "cli/commands.h"
#include "core/ids.h"
#include "core/time_format.h"

namespace tandem::cli {
namespace {

std::string TimeOrDash(const std::optional<TimePoint>& t) { return t ? FormatIsoTime(*t) : "-"; }

}  // namespace

StatusOr<std::optional<int>> ParseTokenExpiry(const std::string& text) {
  if (text.empty() || text == "never") return std::optional<int>();
  int days = 0;
  const char* end = text.data() + text.size();
  auto [stop, ec] = std::from_chars(text.data(), end, days);
  if (ec != std::errc() || stop + 1 != end || *stop != 'd' || days < 1 || days > 3650) {
    return InvalidArgument(
        "invalid_expiry",
        fmt::format("token expiry \"{}\" must be a number of days from 1d to 3650d, e.g. 90d",
                    text));
  }
  return std::optional<int>(days);
}

Status CreateToken(const Config& config, const NewToken& in) {
  TANDEM_ASSIGN_OR_RETURN(auto days, ParseTokenExpiry(in.expires));
  if (in.name.size() > 200) {
    return InvalidArgument("invalid_name", "--name may have at most 200 characters");
  }
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenExistingStore(config));
  TANDEM_ASSIGN_OR_RETURN(auto user, store->FindUserByEmail(in.email));
  if (!user) return NotFound("not_found", fmt::format("no user with email {}", in.email));
  SystemClock clock;
  ApiTokenRecord record;
  record.user_id = user->id;
  record.name = in.name;
  record.created_at = clock.Now();
  if (days) record.expires_at = record.created_at + std::chrono::days(*days);
  const std::string token = NewApiToken();
  TANDEM_ASSIGN_OR_RETURN(ApiTokenRecord created,
                          store->CreateApiToken(record, HashApiToken(token)));
  const nlohmann::json detail = {{"owner", UserIdText(user->id)}, {"name", in.name}};
  TANDEM_RETURN_IF_ERROR(AuditCli(*store, audit_action::kTokenCreated,
                                  fmt::format("tok_{}", created.id), detail.dump()));
  std::cout << fmt::format("API token tok_{} for {}{} (shown once):\n", created.id, user->email,
                           created.expires_at ? ", expires " + FormatIsoTime(*created.expires_at)
                                              : ", no expiry")
            << token << "\n";
  return OkStatus();
}

Status ListTokens(const Config& config, const std::string& email) {
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenExistingStore(config));
  std::optional<int64_t> owner;
  if (!email.empty()) {
    TANDEM_ASSIGN_OR_RETURN(auto user, store->FindUserByEmail(email));
    if (!user) return NotFound("not_found", fmt::format("no user with email {}", email));
    owner = user->id;
  }
  TANDEM_ASSIGN_OR_RETURN(auto tokens, store->ListApiTokens(owner));
  TANDEM_ASSIGN_OR_RETURN(auto users, store->ListUsers());
  if (tokens.empty()) std::cout << "no API tokens\n";
  const TimePoint now = SystemClock().Now();
  for (const ApiTokenRecord& t : tokens) {
    std::string who = fmt::format("usr_{}", t.user_id);
    for (const UserRecord& u : users) {
      if (u.id == t.user_id) who = u.email;
    }
    const bool expired = t.expires_at && *t.expires_at <= now;
    std::cout << fmt::format("tok_{}\t{}\t{}\tcreated {}\texpires {}\tlast used {}{}\n", t.id, who,
                             t.name.empty() ? "-" : t.name, FormatIsoTime(t.created_at),
                             TimeOrDash(t.expires_at), TimeOrDash(t.last_used_at),
                             expired ? "\texpired" : "");
  }
  return OkStatus();
}

Status RevokeToken(const Config& config, const std::string& token_id) {
  int64_t id = 0;
  const char* end = token_id.data() + token_id.size();
  auto [stop, ec] = token_id.starts_with("tok_")
                        ? std::from_chars(token_id.data() + 4, end, id)
                        : std::from_chars_result{token_id.data(), std::errc::invalid_argument};
  if (ec != std::errc() || stop != end || id <= 0) {
    return InvalidArgument("invalid_token_id",
                           fmt::format("\"{}\" is not a token id such as tok_12 (see `tandem "
                                       "token list`)",
                                       token_id));
  }
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenExistingStore(config));
  TANDEM_ASSIGN_OR_RETURN(bool revoked, store->RevokeApiToken(id));
  if (!revoked) return NotFound("not_found", fmt::format("no API token {}", token_id));
  std::cout << fmt::format("API token {} revoked\n", token_id);
  return AuditCli(*store, audit_action::kTokenRevoked, fmt::format("tok_{}", id));
}

}  // namespace tandem::cli
