// The event-processing transaction of SqlStore.
#include <fmt/format.h>

#include "store/sql/sql_analytics.h"
#include "store/sql/sql_contact.h"
#include "store/sql/sql_events.h"
#include "store/sql/sql_lead_txn.h"
#include "store/sql/sql_store.h"

namespace tandem {

using sql::Statement;

class SqlProcessingTxn final : public sql::SqlLeadOps<ProcessingTxn> {
 public:
  explicit SqlProcessingTxn(std::unique_ptr<sql::WriteScope> scope)
      : SqlLeadOps(std::move(scope)), db_(db()) {}

  StatusOr<std::vector<StoredEvent>> NextUnprocessed(size_t limit) override {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db_.Prepare(std::string(sql::kSelectEvent) +
                    " WHERE id > COALESCE((SELECT last_event_id FROM processing_cursors WHERE "
                    "name = 'pipeline'), 0) AND person_id IS NULL ORDER BY id LIMIT ?"));
    stmt->Bind(1, static_cast<int64_t>(limit));
    return sql::Collect<StoredEvent>(stmt, sql::ReadEvent);
  }

  StatusOr<std::vector<StoredEvent>> UnprocessedEvents(std::span<const int64_t> ids) override {
    TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db_.Prepare(std::string(sql::kSelectEvent) +
                                                          " WHERE id = ? AND person_id IS NULL"));
    std::vector<StoredEvent> out;
    for (int64_t id : ids) {
      stmt->Bind(1, id);
      TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (row) out.push_back(sql::ReadEvent(*stmt));
      stmt->Reset();
    }
    return out;
  }

  StatusOr<std::vector<Identity>> PersonIdentities(int64_t person_id) override {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db_.Prepare("SELECT kind, value FROM identities WHERE person_id = ? ORDER BY kind, value"));
    stmt->Bind(1, person_id);
    std::vector<Identity> out;
    for (;;) {
      TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      if (auto kind = ParseIdentityKind(stmt->Text(0))) out.push_back({*kind, stmt->Text(1)});
    }
    stmt->Reset();
    return out;
  }

  StatusOr<bool> NoteErasedAddressReturn(std::string_view address_key, int64_t source_id,
                                         int64_t person_id, TimePoint at) override {
    return sql::NoteErasedAddressReturn(db_, address_key, source_id, person_id, at);
  }

  StatusOr<std::vector<KnownIdentity>> LookUpIdentities(std::span<const Identity> ids) override {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db_.Prepare("SELECT i.person_id, COALESCE(p.user_id, '') FROM identities i JOIN persons p "
                    "ON p.id = i.person_id WHERE i.kind = ? AND i.value = ?"));
    std::vector<KnownIdentity> out;
    for (const Identity& id : ids) {
      stmt->Bind(1, IdentityKindName(id.kind)).Bind(2, id.value);
      TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (row) out.push_back({id, stmt->Int(0), stmt->Text(1)});
      stmt->Reset();
    }
    return out;
  }

  StatusOr<int64_t> ApplyStitch(const StoredEvent& event, const StitchPlan& plan,
                                TimePoint now) override {
    const int64_t at = ToUnixMillis(now);
    int64_t person_id = 0;
    if (plan.person_id && !plan.person_changed) {
      person_id = *plan.person_id;
    } else if (plan.person_id) {
      person_id = *plan.person_id;
      TANDEM_ASSIGN_OR_RETURN(
          Statement * update,
          db_.Prepare(
              "UPDATE persons SET user_id = COALESCE(user_id, ?), email = COALESCE(?, email), "
              "updated_at = ? WHERE id = ?"));
      update->BindNullable(1, plan.user_id)
          .BindNullable(2, plan.email)
          .Bind(3, at)
          .Bind(4, person_id);
      TANDEM_RETURN_IF_ERROR(update->Run());
    } else {
      TANDEM_ASSIGN_OR_RETURN(
          Statement * insert,
          db_.Prepare("INSERT INTO persons (user_id, email, created_at, updated_at) VALUES (?, ?, "
                      "?, ?) RETURNING id"));
      insert->BindNullable(1, plan.user_id).BindNullable(2, plan.email).Bind(3, at).Bind(4, at);
      TANDEM_ASSIGN_OR_RETURN(person_id, sql::InsertedId(*insert));
    }
    for (int64_t from : plan.merge_from)
      TANDEM_RETURN_IF_ERROR(Merge(from, person_id, event.id, at));
    TANDEM_ASSIGN_OR_RETURN(
        Statement * attach,
        db_.Prepare("INSERT INTO identities (kind, value, person_id, first_event_id, created_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, value) DO NOTHING"));
    for (const Identity& id : plan.attach) {
      attach->Bind(1, IdentityKindName(id.kind))
          .Bind(2, id.value)
          .Bind(3, person_id)
          .Bind(4, event.id)
          .Bind(5, at);
      TANDEM_RETURN_IF_ERROR(attach->Run());
      attach->Reset();
    }
    TANDEM_ASSIGN_OR_RETURN(Statement * own,
                            db_.Prepare("UPDATE events SET person_id = ? WHERE id = ?"));
    own->Bind(1, person_id).Bind(2, event.id);
    TANDEM_RETURN_IF_ERROR(own->Run());
    return person_id;
  }

  Status MarkProcessed(const StoredEvent& last) override {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db_.Prepare("INSERT INTO processing_cursors (name, last_event_id) VALUES ('pipeline', ?) "
                    "ON CONFLICT (name) DO UPDATE SET last_event_id = excluded.last_event_id"));
    stmt->Bind(1, last.id);
    return stmt->Run();
  }

  StatusOr<std::vector<StoredEvent>> StitchedEvents(int64_t after_id, int64_t upto_id,
                                                    size_t limit) override {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db_.Prepare(std::string(sql::kSelectEvent) +
                    " WHERE id > ? AND id <= ? AND person_id IS NOT NULL ORDER BY id LIMIT ?"));
    stmt->Bind(1, after_id).Bind(2, upto_id).Bind(3, static_cast<int64_t>(limit));
    return sql::Collect<StoredEvent>(stmt, sql::ReadEvent);
  }

  Status KeepBriefEvent(int64_t person_id, const BriefEvent& e) override {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db_.Prepare("INSERT INTO brief_events (person_id, timestamp, event_id, type, name, path, "
                    "title, asset_id, form, subject, utm_campaign, known) VALUES (?, ?, ?, ?, ?, "
                    "?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"));
    stmt->Bind(1, person_id)
        .Bind(2, ToUnixMillis(e.at))
        .Bind(3, e.id)
        .Bind(4, e.type)
        .Bind(5, e.name)
        .Bind(6, e.path)
        .Bind(7, e.title)
        .Bind(8, e.asset_id)
        .Bind(9, e.form)
        .Bind(10, e.subject)
        .Bind(11, e.utm_campaign)
        .Bind(12, int64_t{e.known ? 1 : 0});
    return stmt->Run();
  }

  Status AddTouchpoint(const Touchpoint& touchpoint) override {
    return sql::AddTouchpoint(db_, touchpoint);
  }
  bool KeepsTouchpoints() const override { return db_.keeps_reports(); }

 private:
  // Folds person `from` into `into`: its identities, events (with what the brief and the
  // reports keep of them) and earlier merges move,
  // its row stays as a pointer to the survivor, and the merge is recorded.
  Status Merge(int64_t from, int64_t into, int64_t event_id, int64_t at) {
    static const char* const kSteps[] = {
        "UPDATE identities SET person_id = ?1 WHERE person_id = ?2",
        "UPDATE events SET person_id = ?1 WHERE person_id = ?2",
        "UPDATE brief_events SET person_id = ?1 WHERE person_id = ?2",
        "UPDATE touchpoints SET person_id = ?1 WHERE person_id = ?2",
        "UPDATE persons SET merged_into = ?1 WHERE merged_into = ?2",
        "UPDATE persons SET email = COALESCE(email, (SELECT email FROM persons WHERE id = ?2)), "
        "user_id = COALESCE(user_id, (SELECT user_id FROM persons WHERE id = ?2)) WHERE id = ?1",
        "UPDATE persons SET merged_into = ?1, updated_at = ?3 WHERE id = ?2",
        "INSERT INTO person_merges (from_person, into_person, event_id, merged_at) VALUES (?2, ?1, "
        "?4, ?3)",
    };
    TANDEM_RETURN_IF_ERROR(sql::NotePersonsMerging(db_, from, into));
    TANDEM_RETURN_IF_ERROR(sql::MergeExperimentPersons(db_, from, into, FromUnixMillis(at)));
    for (const char* sql : kSteps) {
      TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db_.Prepare(sql));
      stmt->Bind(1, into).Bind(2, from).Bind(3, at).Bind(4, event_id);
      TANDEM_RETURN_IF_ERROR(stmt->Run());
    }
    // The touchpoints moved: each person's lead (when it has one) has a new first one.
    return sql::NotePersonsMerged(db_, from, into);
  }

  sql::Db& db_;
};

StatusOr<std::unique_ptr<ProcessingTxn>> SqlStore::BeginProcessing() {
  TANDEM_ASSIGN_OR_RETURN(auto scope, BeginWrite(sql::WriteKind::kProcessing));
  return std::unique_ptr<ProcessingTxn>(std::make_unique<SqlProcessingTxn>(std::move(scope)));
}

}  // namespace tandem
