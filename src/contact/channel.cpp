#include "contact/channel.h"

#include <array>
#include <cstddef>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tandem {
namespace {

constexpr std::array<std::string_view, 6> kChannelNames = {"email",  "call",    "sms",
                                                           "social", "meeting", "mail"};
constexpr std::array<Channel, 6> kChannels = {Channel::kEmail,  Channel::kCall,    Channel::kSms,
                                              Channel::kSocial, Channel::kMeeting, Channel::kMail};
constexpr std::array<std::string_view, 3> kPurposeNames = {"sales_outreach", "email_marketing",
                                                           "phone"};
constexpr std::array<Purpose, 3> kPurposes = {Purpose::kSalesOutreach, Purpose::kEmailMarketing,
                                              Purpose::kPhone};

template <size_t N>
Status NotOneOf(std::string_view field, std::string_view value,
                const std::array<std::string_view, N>& names) {
  return Unprocessable("invalid_field", fmt::format("{} \"{}\" is not one of {}", field, value,
                                                    fmt::join(names, ", ")));
}

template <typename E, size_t N>
std::optional<E> Parse(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view ChannelName(Channel channel) {
  return kChannelNames[static_cast<size_t>(channel)];
}

std::optional<Channel> ParseChannel(std::string_view name) {
  return Parse<Channel>(kChannelNames, name);
}

std::string_view PurposeName(Purpose purpose) {
  return kPurposeNames[static_cast<size_t>(purpose)];
}

std::optional<Purpose> ParsePurpose(std::string_view name) {
  return Parse<Purpose>(kPurposeNames, name);
}

StatusOr<Channel> ChannelField(std::string_view field, std::string_view value) {
  std::optional<Channel> channel = ParseChannel(value);
  if (!channel) return NotOneOf(field, value, kChannelNames);
  return *channel;
}

StatusOr<Purpose> PurposeField(std::string_view field, std::string_view value) {
  std::optional<Purpose> purpose = ParsePurpose(value);
  if (!purpose) return NotOneOf(field, value, kPurposeNames);
  return *purpose;
}

std::span<const Channel> ContactChannels() { return kChannels; }
std::span<const Purpose> ContactPurposes() { return kPurposes; }
std::span<const std::string_view> ContactChannelNames() { return kChannelNames; }
std::span<const std::string_view> ContactPurposeNames() { return kPurposeNames; }

}  // namespace tandem
