// Email's rows: templates, saved filters, broadcasts (sql_email.cpp), sends and
// suppressions (sql_email_sends.cpp). Writes REQUIRE a write transaction open on the
// connection.
#pragma once

#include <optional>
#include <string_view>

#include "email/email_store.h"
#include "store/sql/sql_db.h"

namespace tandem::sql {

StatusOr<int64_t> AddSend(Db& db, const EmailSend& send);
StatusOr<std::optional<Suppression>> FindSuppression(Db& db, std::string_view address);
StatusOr<bool> AdvanceBroadcastCursor(Db& db, int64_t broadcast_id, int64_t from, int64_t to,
                                      TimePoint now);
Status RecordAttempt(Db& db, int64_t send_id, SendStatus status, int64_t code,
                     std::string_view error, TimePoint next_attempt, TimePoint now);
Status StartAttempt(Db& db, int64_t send_id, TimePoint now);
Status Suppress(Db& db, const Suppression& suppression);
StatusOr<bool> AddEngagement(Db& db, const EmailEngagement& engagement,
                             std::chrono::seconds window);
// The send with this Message-ID, if Tandem sent one.
StatusOr<std::optional<EmailSend>> FindSendByMessageId(Db& db, std::string_view message_id);

}  // namespace tandem::sql
