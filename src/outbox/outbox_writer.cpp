#include "outbox/outbox_writer.h"

#include <algorithm>

#include "core/random.h"
#include "core/text.h"
#include "core/time_format.h"

namespace tandem {

std::vector<std::string> OutboxWriter::EndpointsFor(std::string_view type) const {
  std::vector<std::string> endpoints;
  for (const WebhookConfig& hook : webhooks_) {
    if (hook.events.empty() ||
        std::find(hook.events.begin(), hook.events.end(), type) != hook.events.end()) {
      endpoints.push_back(hook.url);
    }
  }
  return endpoints;
}

bool OutboxWriter::Wanted(std::string_view type, bool keep) const {
  return keep || !EndpointsFor(type).empty();
}

StatusOr<std::string> OutboxWriter::Write(OutboxWrites& txn, std::string_view type, int64_t lead_id,
                                          nlohmann::json data, TimePoint now) const {
  // A subject becomes a mail header or a chat title: one line, bounded, whatever a
  // lead's name or a page title holds.
  if (auto subject = data.find("subject"); subject != data.end() && subject->is_string()) {
    *subject = HeaderText(subject->get<std::string>());
  }
  OutboxMessage message;
  message.uid = "evt_" + RandomUuid();
  message.type = std::string(type);
  message.lead_id = lead_id;
  message.created_at = now;
  message.payload = nlohmann::json{
      {"id", message.uid},
      {"type", type},
      {"created_at", FormatIsoTime(now)},
      {"data",
       std::move(data)}}.dump();
  TANDEM_RETURN_IF_ERROR(txn.Enqueue(message, EndpointsFor(type), now));
  return message.uid;
}

}  // namespace tandem
