#include "email/email_config.h"

namespace tandem {

Status CheckSendable(const EmailConfig& config, std::string_view public_url, Purpose purpose) {
  if (config.from_address.empty()) {
    return Unprocessable("email_not_configured",
                         "email cannot be sent: set [email] from_address in tandem.toml (the "
                         "address every email comes from)");
  }
  if (purpose == Purpose::kEmailMarketing && public_url.empty()) {
    return Unprocessable("email_not_configured",
                         "marketing email cannot be sent: set server.public_url in tandem.toml "
                         "(the address of this server its unsubscribe links point to)");
  }
  return OkStatus();
}

}  // namespace tandem
