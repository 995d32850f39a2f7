#include "email/email_records.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/enum_names.h"

namespace tandem {
namespace {

constexpr EnumNames<BroadcastState, 6> kStates = {{
    {BroadcastState::kDraft, "draft"},
    {BroadcastState::kScheduled, "scheduled"},
    {BroadcastState::kSending, "sending"},
    {BroadcastState::kPaused, "paused"},
    {BroadcastState::kCancelled, "cancelled"},
    {BroadcastState::kDone, "done"},
}};

constexpr EnumNames<SendKind, 5> kKinds = {{
    {SendKind::kOneToOne, "one_to_one"},
    {SendKind::kBroadcast, "broadcast"},
    {SendKind::kSequence, "sequence"},
    {SendKind::kNotification, "notification"},
    {SendKind::kTest, "test"},
}};

constexpr EnumNames<SendStatus, 9> kStatuses = {{
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
  return ParseName(kStates, name);
}
std::string_view SendKindName(SendKind kind) { return NameOf(kKinds, kind); }
bool IsToLead(SendKind kind) {
  return kind == SendKind::kOneToOne || kind == SendKind::kBroadcast || kind == SendKind::kSequence;
}
std::optional<SendKind> ParseSendKind(std::string_view name) { return ParseName(kKinds, name); }
std::string_view SendStatusName(SendStatus status) { return NameOf(kStatuses, status); }
std::optional<SendStatus> ParseSendStatus(std::string_view name) {
  return ParseName(kStatuses, name);
}
std::string_view EngagementKindName(EngagementKind kind) {
  return kind == EngagementKind::kClick ? "click" : "open";
}

nlohmann::json SendWebhookJson(const EmailSend& send, int64_t code, std::string_view reply) {
  nlohmann::json email = {{"id", send.uid},
                          {"kind", SendKindName(send.kind)},
                          {"to", send.to_address},
                          {"subject", send.subject},
                          {"message_id", send.message_id},
                          {"template", send.template_key},
                          {"template_version", send.template_version},
                          {"smtp_code", code}};
  if (send.broadcast_id) email["broadcast_id"] = fmt::format("bc_{}", *send.broadcast_id);
  if (!reply.empty()) email["reply"] = std::string(reply);
  return email;
}

}  // namespace tandem
