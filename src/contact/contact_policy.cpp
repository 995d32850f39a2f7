#include "contact/contact_policy.h"

namespace tandem {

const std::vector<std::string>& ContactChannels() {
  static const std::vector<std::string> channels = {"email",  "call",    "sms",
                                                    "social", "meeting", "mail"};
  return channels;
}

const std::vector<std::string>& ContactPurposes() {
  static const std::vector<std::string> purposes = {"sales_outreach", "email_marketing", "phone"};
  return purposes;
}

const std::vector<std::string>& AddressSources() {
  static const std::vector<std::string> sources = {"form",   "event",     "api",
                                                   "import", "purchased", "harvested"};
  return sources;
}

}  // namespace tandem
