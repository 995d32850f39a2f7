// Readers of the outbox that act on each message once (the staff's email, the in-app
// notifications) keep their place in a setting; on first start it begins at the end of
// the outbox, so what happened before is not sent again.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

#include "core/settings_store.h"
#include "outbox/outbox_store.h"

namespace tandem {

// The id of the last message the reader of `setting` handled; made on first call.
StatusOr<int64_t> OutboxCursor(OutboxStore& outbox, SettingsStore& settings,
                               std::string_view setting);

// The users a message's `data.notify` names (`[{"id":"usr_N",…}]`), in order.
std::vector<int64_t> NotifiedUsers(const nlohmann::json& data);

}  // namespace tandem
