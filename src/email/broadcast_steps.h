// The steps a broadcast's recipients go through, shared by the audience count and the
// runner (email/broadcasts.cpp, email/broadcast_runner.cpp). Internal to email/.
#pragma once

#include <string>
#include <vector>

#include "email/email_service.h"

namespace tandem::broadcast_steps {

// The next `limit` leads of the broadcast's filter with an id above `after_id`.
StatusOr<std::vector<LeadRecord>> NextRecipients(const EmailService& service, const Broadcast& b,
                                                 int64_t after_id, size_t limit, TimePoint now);

// The template a broadcast renders, compiled once for a batch.
struct BroadcastTemplate {
  StoredTemplate source;
  CompiledTemplate compiled;
};
StatusOr<BroadcastTemplate> TemplateOf(const EmailService& service, const Broadcast& b);

}  // namespace tandem::broadcast_steps
