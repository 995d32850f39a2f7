// Small named values Tandem keeps for itself in its store (the scoring policy's hash,
// the unsubscribe links' secret).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tandem {

class SettingsStore {
 public:
  virtual ~SettingsStore() = default;
  virtual StatusOr<std::optional<std::string>> GetSetting(std::string_view name) = 0;
  virtual Status PutSetting(std::string_view name, std::string_view value) = 0;
  // Stores `value` unless the setting exists, and returns the value stored: instances
  // that start together on one database agree on the first one written.
  virtual StatusOr<std::string> PutSettingIfAbsent(std::string_view name,
                                                   std::string_view value) = 0;
};

}  // namespace tandem
