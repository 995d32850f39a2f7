// The email writes of a lead transaction, written once for every transaction that can
// queue email (EmailTxn and those derived from it).
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "store/sql/sql_email.h"
#include "store/sql/sql_lead_txn.h"

namespace tandem::sql {

Status PutSetting(Db& db, std::string_view name, std::string_view value);

// `Interface` is EmailTxn or a class derived from it.
template <typename Interface>
class SqlEmailOps : public SqlLeadOps<Interface> {
 public:
  using SqlLeadOps<Interface>::SqlLeadOps;

  StatusOr<int64_t> AddSend(const EmailSend& send) override { return sql::AddSend(db(), send); }
  StatusOr<std::optional<Suppression>> FindSuppression(std::string_view address) override {
    return sql::FindSuppression(db(), address);
  }
  StatusOr<bool> AdvanceBroadcastCursor(int64_t broadcast_id, int64_t from, int64_t to,
                                        TimePoint now) override {
    return sql::AdvanceBroadcastCursor(db(), broadcast_id, from, to, now);
  }
  Status RecordAttempt(int64_t send_id, SendStatus status, int64_t code, std::string_view error,
                       TimePoint next_attempt, TimePoint now) override {
    return sql::RecordAttempt(db(), send_id, status, code, error, next_attempt, now);
  }
  Status StartAttempt(int64_t send_id, TimePoint now) override {
    return sql::StartAttempt(db(), send_id, now);
  }
  Status Suppress(const Suppression& suppression) override {
    return sql::Suppress(db(), suppression);
  }
  StatusOr<bool> AddEngagement(const EmailEngagement& engagement,
                               std::chrono::seconds window) override {
    return sql::AddEngagement(db(), engagement, window);
  }
  Status PutSettingInTxn(std::string_view name, std::string_view value) override {
    return sql::PutSetting(db(), name, value);
  }

 protected:
  Db& db() { return SqlLeadOps<Interface>::db(); }
};

}  // namespace tandem::sql
