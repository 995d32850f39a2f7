// [email.inbound] of tandem.toml: the mailbox answers are read from.
#include <fmt/format.h>

#include "config/config_rules.h"
#include "config/section_reader.h"

namespace tandem {

Status ReadEmailInbound(const toml::node& node, std::string_view origin, InboundConfig& c) {
  const toml::table* table = node.as_table();
  if (table == nullptr) return ConfigError(origin, node, "email.inbound must be a table");
  SectionReader r(*table, origin, "email.inbound");
  r.Custom("url", [&](const toml::node& value_node, std::string_view name) -> Status {
    auto value = value_node.value<std::string>();
    if (!value || !value_node.is_string() ||
        !(value->empty() || value->starts_with("imap://") || value->starts_with("imaps://"))) {
      return ConfigError(origin, value_node,
                         fmt::format("{} must be \"\" or a URL imap://HOST:PORT or "
                                     "imaps://HOST:PORT",
                                     name));
    }
    c.url = *value;
    return OkStatus();
  });
  r.String("user", c.user);
  r.String("password", c.password);
  r.String("folder", c.folder);
  r.String("processed_folder", c.processed_folder);
  r.String("starttls", c.starttls, {"opportunistic", "required", "off"});
  r.String("ca_file", c.ca_file);
  r.Integer("poll_interval_s", c.poll_interval_s, 1, 86400);
  r.Integer("timeout_ms", c.timeout_ms, 100, 600000);
  r.Integer("batch", c.batch, 1, 1000);
  r.Integer("soft_bounce_limit", c.soft_bounce_limit, 1, 100);
  r.Integer("soft_bounce_window_days", c.soft_bounce_window_days, 1, 365);
  TANDEM_RETURN_IF_ERROR(r.Finish());
  for (const std::string* folder : {&c.folder, &c.processed_folder}) {
    if (folder->empty() || folder->find_first_of("\"\\\r\n") != std::string::npos) {
      return ConfigError(origin, node,
                         "email.inbound folders must be non-empty names without quotes, "
                         "backslashes or line breaks");
    }
  }
  if (c.folder == c.processed_folder) {
    return ConfigError(origin, node,
                       "email.inbound processed_folder must differ from folder: read messages "
                       "are moved there");
  }
  return OkStatus();
}

}  // namespace tandem
