#include "email/email_records.h"

#include <array>
#include <utility>

namespace tandem {
namespace {

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
  for (const auto& [e, name] : names) {
    if (e == value) return name;
  }
  return "";
}

template <typename E, size_t N>
std::optional<E> Parse(const std::array<std::pair<E, std::string_view>, N>& names,
                       std::string_view text) {
  for (const auto& [e, name] : names) {
    if (name == text) return e;
  }
  return std::nullopt;
}

constexpr std::array<std::pair<BroadcastState, std::string_view>, 6> kStates = {{
    {BroadcastState::kDraft, "draft"},
    {BroadcastState::kScheduled, "scheduled"},
    {BroadcastState::kSending, "sending"},
    {BroadcastState::kPaused, "paused"},
    {BroadcastState::kCancelled, "cancelled"},
    {BroadcastState::kDone, "done"},
}};

constexpr std::array<std::pair<SendKind, std::string_view>, 4> kKinds = {{
    {SendKind::kOneToOne, "one_to_one"},
    {SendKind::kBroadcast, "broadcast"},
    {SendKind::kNotification, "notification"},
    {SendKind::kTest, "test"},
}};

constexpr std::array<std::pair<SendStatus, std::string_view>, 9> kStatuses = {{
    {SendStatus::kQueued, "queued"},
    {SendStatus::kSending, "sending"},
    {SendStatus::kSent, "sent"},
    {SendStatus::kRetrying, "retrying"},
    {SendStatus::kBounced, "bounced"},
    {SendStatus::kRefused, "refused"},
    {SendStatus::kInterrupted, "interrupted"},
    {SendStatus::kCancelled, "cancelled"},
    {SendStatus::kFailed, "failed"},
}};

}  // namespace

std::string_view BroadcastStateName(BroadcastState state) { return NameOf(kStates, state); }
std::optional<BroadcastState> ParseBroadcastState(std::string_view name) {
  return Parse(kStates, name);
}
std::string_view SendKindName(SendKind kind) { return NameOf(kKinds, kind); }
std::optional<SendKind> ParseSendKind(std::string_view name) { return Parse(kKinds, name); }
std::string_view SendStatusName(SendStatus status) { return NameOf(kStatuses, status); }
std::optional<SendStatus> ParseSendStatus(std::string_view name) { return Parse(kStatuses, name); }
std::string_view EngagementKindName(EngagementKind kind) {
  return kind == EngagementKind::kClick ? "click" : "open";
}

}  // namespace tandem
