#include "contact/unsubscribe_token.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "core/mac.h"
#include "core/random.h"

namespace tandem {
namespace {

std::string ManageMac(std::string_view secret, int64_t lead_id) {
  return ShortMac(secret, "unsubscribe:" + std::to_string(lead_id));
}

std::string ConfirmMac(std::string_view secret, int64_t lead_id, int64_t expires_s,
                       std::string_view state_stamp) {
  return ShortMac(secret,
                  fmt::format("resubscribe-confirm:{}:{}:{}", lead_id, expires_s, state_stamp));
}

// A positive decimal number of at most 19 digits, all of `text`, in its one spelling:
// "042" is not 42, so a token has one spelling per lead.
std::optional<int64_t> PositiveNumber(std::string_view text) {
  if (text.empty() || text.size() > 19 || text.front() == '0') return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

}  // namespace

std::string MakeUnsubscribeToken(std::string_view secret, int64_t lead_id) {
  return std::to_string(lead_id) + "." + ManageMac(secret, lead_id);
}

std::optional<int64_t> VerifyUnsubscribeToken(std::string_view secret, std::string_view token) {
  size_t dot = token.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto lead_id = PositiveNumber(token.substr(0, dot));
  if (!lead_id) return std::nullopt;
  // A confirm token has a second dot and so never matches a manage MAC.
  if (!SameMac(token.substr(dot + 1), ManageMac(secret, *lead_id))) return std::nullopt;
  return lead_id;
}

std::string MakeResubscribeToken(std::string_view secret, int64_t lead_id, TimePoint expires,
                                 std::string_view state_stamp) {
  const int64_t expires_s = ToUnixMillis(expires) / 1000;
  return fmt::format("{}.{}.{}", lead_id, expires_s,
                     ConfirmMac(secret, lead_id, expires_s, state_stamp));
}

std::optional<ResubscribeClaim> ParseResubscribeToken(std::string_view token) {
  size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  auto lead_id = PositiveNumber(token.substr(0, first));
  auto expires_s = PositiveNumber(token.substr(first + 1, second - first - 1));
  if (!lead_id || !expires_s || *expires_s > int64_t{1} << 40) return std::nullopt;
  return ResubscribeClaim{*lead_id, FromUnixMillis(*expires_s * 1000)};
}

bool VerifyResubscribeToken(std::string_view secret, std::string_view token,
                            const ResubscribeClaim& claim, std::string_view state_stamp,
                            TimePoint now) {
  size_t second = token.find('.', token.find('.') + 1);
  if (second == std::string_view::npos) return false;
  const int64_t expires_s = ToUnixMillis(claim.expires) / 1000;
  if (!SameMac(token.substr(second + 1),
               ConfirmMac(secret, claim.lead_id, expires_s, state_stamp))) {
    return false;
  }
  return now < claim.expires;
}

std::string OptOutStateStamp(std::string_view email, const ContactPrefs& prefs,
                             const std::vector<ConsentRecord>& consents) {
  int64_t latest = 0, count = 0;
  for (const ConsentRecord& c : consents) {
    if (c.purpose != Purpose::kEmailMarketing) continue;
    latest = std::max(latest, ToUnixMillis(c.at));
    ++count;
  }
  return fmt::format("{}/{}/{}/{}",
                     prefs.unsubscribed_at ? ToUnixMillis(*prefs.unsubscribed_at) : 0, latest,
                     count, email);
}

StatusOr<std::string> LoadUnsubscribeSecret(SettingsStore& settings) {
  constexpr std::string_view kName = "unsubscribe_secret";
  TANDEM_ASSIGN_OR_RETURN(auto secret, settings.GetSetting(kName));
  if (secret && !secret->empty()) return *secret;
  // Instances starting together on an empty database each propose a secret; all of
  // them sign with the one stored first.
  return settings.PutSettingIfAbsent(kName, RandomToken(32));
}

}  // namespace tandem
