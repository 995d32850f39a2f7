// The event-processing transaction of SqlStore.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "store/sql/sql_analytics.h"
#include "store/sql/sql_contact.h"
#include "store/sql/sql_events.h"
#include "store/sql/sql_lead_txn.h"
#include "store/sql/sql_store.h"

namespace tandem {

using sql::Statement;

namespace {

// A stitch's writes, each event's: on PostgreSQL a batch's rows of each go together.
constexpr sql::BatchedWrite kAttach = {
    "INSERT INTO identities (kind, value, person_id, first_event_id, created_at) VALUES (?, ?, "
    "?, ?, ?) ON CONFLICT (kind, value) DO NOTHING",
    "INSERT INTO identities (kind, value, person_id, first_event_id, created_at) SELECT k, v, p, "
    "e, c FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[]) WITH "
    "ORDINALITY AS x(k, v, p, e, c, n) ORDER BY n ON CONFLICT (kind, value) DO NOTHING"};
constexpr sql::BatchedWrite kOwnEvent = {
    "UPDATE events SET person_id = ? WHERE id = ?",
    "UPDATE events SET person_id = x.p FROM unnest($1::bigint[], $2::bigint[]) AS x(p, id) WHERE "
    "events.id = x.id"};
constexpr sql::BatchedWrite kKeepBriefEvent = {
    "INSERT INTO brief_events (person_id, timestamp, event_id, type, name, path, title, asset_id, "
    "form, subject, utm_campaign, known) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
    "DO NOTHING",
    "INSERT INTO brief_events (person_id, timestamp, event_id, type, name, path, title, asset_id, "
    "form, subject, utm_campaign, known) SELECT * FROM unnest($1::bigint[], $2::bigint[], "
    "$3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], "
    "$10::text[], $11::text[], $12::bigint[]) ON CONFLICT DO NOTHING"};
// PostgreSQL only (with an id reserved).
constexpr sql::BatchedWrite kInsertPerson = {
    "INSERT INTO persons (id, user_id, email, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
    "INSERT INTO persons (id, user_id, email, created_at, updated_at) SELECT * FROM "
    "unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])"};

}  // namespace

class SqlProcessingTxn final : public sql::SqlLeadOps<ProcessingTxn> {
 public:
  explicit SqlProcessingTxn(std::unique_ptr<sql::WriteScope> scope)
      : SqlLeadOps(std::move(scope)), db_(db()) {}

  bool concurrent() const override { return db_.concurrent(); }

  StatusOr<int64_t> Cursor() override {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * cursor,
        db_.Prepare("SELECT COALESCE((SELECT last_event_id FROM processing_cursors WHERE name = "
                    "'pipeline'), 0)"));
    TANDEM_ASSIGN_OR_RETURN(
        auto at, sql::Collect<int64_t>(cursor, [](const Statement& r) { return r.Int(0); }));
    return at.at(0);
  }

  StatusOr<std::vector<StoredEvent>> UnprocessedAfter(int64_t after_id, size_t limit) override {
    std::vector<StoredEvent> out;
    TANDEM_RETURN_IF_ERROR(
        sql::ForEachUnprocessed(db_, sql::kSelectEvent, after_id, limit,
                                [&](const Statement& row) { out.push_back(sql::ReadEvent(row)); }));
    return out;
  }

  StatusOr<std::vector<int64_t>> StillUnprocessed(std::span<const int64_t> ids) override {
    return IdsWhere("events", "person_id IS NULL", ids);
  }

  StatusOr<std::vector<bool>> TryHold(std::span<const Identity> ids,
                                      std::span<const int64_t> persons) override {
    std::vector<std::string> names;
    names.reserve(ids.size() + persons.size());
    for (const Identity& id : ids) names.push_back("i:" + KeyOf(id));
    for (int64_t p : persons) names.push_back(fmt::format("p:{}", p));
    return db_.TryHold(names);
  }

  StatusOr<std::vector<int64_t>> CurrentPersons(std::span<const Identity> ids) override {
    std::unordered_map<std::string, int64_t> found;
    TANDEM_RETURN_IF_ERROR(ReadIdentities(ids, [&](const Statement& row) {
      found[fmt::format("{}:{}", row.Text(0), row.Text(1))] = row.Int(2);
    }));
    std::vector<int64_t> out;
    out.reserve(ids.size());
    for (const Identity& id : ids) {
      auto it = found.find(KeyOf(id));
      out.push_back(it == found.end() ? 0 : it->second);
    }
    return out;
  }

  void ForgetReads() override {
    identities_.clear();
    leadless_.clear();
    ForgetLeadReads();
  }

  StatusOr<std::vector<StoredEvent>> UnprocessedEvents(std::span<const int64_t> ids) override {
    std::unordered_map<int64_t, StoredEvent> found;
    for (size_t at = 0; at < ids.size(); at += kChunk) {
      const auto some = ids.subspan(at, std::min(kChunk, ids.size() - at));
      TANDEM_ASSIGN_OR_RETURN(
          Statement * stmt,
          db_.Prepare(fmt::format("{} WHERE id IN ({}) AND person_id IS NULL", sql::kSelectEvent,
                                  sql::IdPlaces(some.size()))));
      sql::BindIds(*stmt, 1, some);
      TANDEM_ASSIGN_OR_RETURN(auto events, sql::Collect<StoredEvent>(stmt, sql::ReadEvent));
      for (StoredEvent& e : events) found.emplace(e.id, std::move(e));
    }
    std::vector<StoredEvent> out;  // in the order asked
    for (int64_t id : ids) {
      if (auto it = found.find(id); it != found.end()) out.push_back(std::move(it->second));
    }
    return out;
  }

  StatusOr<std::vector<Identity>> PersonIdentities(std::span<const int64_t> persons) override {
    std::vector<Identity> out;
    for (size_t at = 0; at < persons.size(); at += kChunk) {
      const auto some = persons.subspan(at, std::min(kChunk, persons.size() - at));
      TANDEM_ASSIGN_OR_RETURN(
          Statement * stmt,
          db_.Prepare(fmt::format("SELECT kind, value FROM identities WHERE person_id IN ({}) "
                                  "ORDER BY person_id, kind, value",
                                  sql::IdPlaces(some.size()))));
      sql::BindIds(*stmt, 1, some);
      TANDEM_RETURN_IF_ERROR(sql::EachRow(stmt, [&](const Statement& row) {
        if (auto kind = ParseIdentityKind(row.Text(0))) out.push_back({*kind, row.Text(1)});
      }));
    }
    return out;
  }

  StatusOr<bool> NoteErasedAddressReturn(std::string_view address_key, int64_t source_id,
                                         int64_t person_id, TimePoint at) override {
    return sql::NoteErasedAddressReturn(db_, address_key, source_id, person_id, at);
  }

  Status PrepareLookUps(std::span<const Identity> ids) override {
    // Those not read yet; what is not found is noted too.
    std::vector<Identity> fresh;
    for (const Identity& id : ids) {
      if (identities_.try_emplace(KeyOf(id)).second) fresh.push_back(id);
    }
    std::vector<int64_t> persons;
    TANDEM_RETURN_IF_ERROR(ReadIdentities(fresh, [&](const Statement& row) {
      const int64_t person = row.Int(2);
      identities_[fmt::format("{}:{}", row.Text(0), row.Text(1))] = Known{person, row.Text(3)};
      persons.push_back(person);
    }));
    return NoteLeadless(persons);
  }

  StatusOr<std::vector<KnownIdentity>> LookUpIdentities(std::span<const Identity> ids) override {
    std::vector<KnownIdentity> out;
    for (const Identity& id : ids) {
      auto [it, fresh] = identities_.try_emplace(KeyOf(id));
      if (fresh) {
        TANDEM_ASSIGN_OR_RETURN(
            Statement * stmt,
            db_.Prepare(fmt::format("SELECT person_id, {} FROM identities i WHERE kind = ? AND "
                                    "value = ?",
                                    kUserIdOfPerson)));
        stmt->Bind(1, IdentityKindName(id.kind)).Bind(2, id.value);
        auto row = stmt->Step();
        if (!row.ok()) identities_.erase(it);
        TANDEM_RETURN_IF_ERROR(row.status());
        if (*row) it->second = Known{stmt->Int(0), stmt->Text(1)};
        stmt->Reset();
      }
      if (it->second) out.push_back({id, it->second->person_id, it->second->user_id});
    }
    return out;
  }

  StatusOr<std::optional<LeadRecord>> GetLead(int64_t lead_id) override {
    if (leadless_.contains(lead_id)) {
      NoteLeadRead(lead_id, std::nullopt);
      return std::optional<LeadRecord>();
    }
    TANDEM_ASSIGN_OR_RETURN(auto lead, sql::GetLead(db_, lead_id));
    if (!lead) leadless_.insert(lead_id);
    NoteLeadRead(lead_id, lead);
    return lead;
  }

  Status PutLead(const LeadRecord& lead) override {
    leadless_.erase(lead.id);
    return SqlLeadOps::PutLead(lead);
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
      TANDEM_ASSIGN_OR_RETURN(person_id, InsertPerson(plan, at));
      leadless_.insert(person_id);  // a lead takes its person's id, and PutLead makes it
    }
    for (int64_t from : plan.merge_from)
      TANDEM_RETURN_IF_ERROR(Merge(from, person_id, event.id, at));
    TANDEM_ASSIGN_OR_RETURN(Statement * attach, db_.PrepareBatched(kAttach));
    for (const Identity& id : plan.attach) {
      attach->Bind(1, IdentityKindName(id.kind))
          .Bind(2, id.value)
          .Bind(3, person_id)
          .Bind(4, event.id)
          .Bind(5, at);
      TANDEM_RETURN_IF_ERROR(attach->Run());
      attach->Reset();
    }
    TANDEM_ASSIGN_OR_RETURN(Statement * own, db_.PrepareBatched(kOwnEvent));
    own->Bind(1, person_id).Bind(2, event.id);
    TANDEM_RETURN_IF_ERROR(own->Run());
    NoteStitched(person_id, plan);
    return person_id;
  }

  Status MarkProcessed(int64_t through) override {
    // A cursor already further on is not written to, nor waited for (an upsert would
    // lock it whatever it holds).
    TANDEM_ASSIGN_OR_RETURN(
        Statement * move,
        db_.Prepare("UPDATE processing_cursors SET last_event_id = ? WHERE name = 'pipeline' AND "
                    "last_event_id < ?"));
    move->Bind(1, through).Bind(2, through);
    TANDEM_RETURN_IF_ERROR(move->Run());
    TANDEM_ASSIGN_OR_RETURN(
        Statement * first,
        db_.Prepare("INSERT INTO processing_cursors (name, last_event_id) SELECT 'pipeline', ? "
                    "WHERE NOT EXISTS (SELECT 1 FROM processing_cursors WHERE name = 'pipeline') "
                    "ON CONFLICT (name) DO NOTHING"));
    first->Bind(1, through);
    return first->Run();
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
    TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db_.PrepareBatched(kKeepBriefEvent));
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
  // What this transaction read of identities (nullopt: none such) and of persons without
  // a lead; whatever it writes that changes them is forgotten, so a read after a write
  // goes to the database again.
  struct Known {
    int64_t person_id = 0;
    std::string user_id;
  };
  // At most this many values a query: with more, PostgreSQL may scan a table whole
  // instead of looking each one up (measured: 256 addresses 9.7 ms, 128 1.7 ms).
  static constexpr size_t kChunk = 128;
  // The userId of identity i's person, looked up by its key: a join let PostgreSQL's
  // generic plan for the chunks scan every person (4 ms a chunk at 4,000 persons).
  static constexpr const char* kUserIdOfPerson =
      "COALESCE((SELECT user_id FROM persons p WHERE p.id = i.person_id), '')";

  static std::string KeyOf(const Identity& id) {
    return fmt::format("{}:{}", IdentityKindName(id.kind), id.value);
  }

  // The identities of `ids` that exist, each a row of kind, value, person_id and the
  // person's userId (or ''). On PostgreSQL in one query whatever their number, each looked
  // up by its key (a join could let a plan made when the table was small scan it whole;
  // ids are valid UTF-8: ingest checks it); elsewhere by kind, a chunk at a time.
  template <typename Each>
  Status ReadIdentities(std::span<const Identity> ids, Each each) {
    if (ids.empty()) return OkStatus();
    if (db_.dialect() == sql::Dialect::kPostgres) {
      nlohmann::json keys = nlohmann::json::array();
      for (const Identity& id : ids)
        keys.push_back({{"k", IdentityKindName(id.kind)}, {"v", id.value}});
      TANDEM_ASSIGN_OR_RETURN(
          Statement * stmt,
          db_.Prepare(fmt::format(
              "SELECT x.k, x.v, i.person_id, {} FROM jsonb_to_recordset(?::jsonb) AS x(k text, "
              "v text) JOIN LATERAL (SELECT person_id FROM identities WHERE kind = x.k AND value "
              "= x.v LIMIT 1) i ON true",
              kUserIdOfPerson)));
      stmt->Bind(1, keys.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      return sql::EachRow(stmt, each);
    }
    for (IdentityKind kind :
         {IdentityKind::kAnonymousId, IdentityKind::kUserId, IdentityKind::kEmail}) {
      std::vector<std::string_view> values;
      for (const Identity& id : ids) {
        if (id.kind == kind) values.push_back(id.value);
      }
      for (size_t at = 0; at < values.size(); at += kChunk) {
        const size_t n = std::min(kChunk, values.size() - at);
        TANDEM_ASSIGN_OR_RETURN(
            Statement * stmt,
            db_.Prepare(fmt::format("SELECT kind, value, person_id, {} FROM identities i WHERE "
                                    "kind = ? AND value IN ({})",
                                    kUserIdOfPerson, sql::IdPlaces(n))));
        stmt->Bind(1, IdentityKindName(kind));
        for (size_t i = 0; i < n; ++i) stmt->Bind(static_cast<int>(i) + 2, values[at + i]);
        TANDEM_RETURN_IF_ERROR(sql::EachRow(stmt, each));
      }
    }
    return OkStatus();
  }

  // After a stitch, what it wrote: the person holds the plan's userId (identity.h: the
  // one it holds after the event), its identities and those of the persons merged into
  // it point to it, and so do the identities attached.
  void NoteStitched(int64_t person_id, const StitchPlan& plan) {
    const Known now{person_id, plan.user_id};
    if (plan.person_changed || !plan.merge_from.empty()) {
      for (auto& [key, known] : identities_) {
        if (known &&
            (known->person_id == person_id ||
             std::ranges::find(plan.merge_from, known->person_id) != plan.merge_from.end())) {
          *known = now;
        }
      }
    }
    for (const Identity& id : plan.attach) identities_[KeyOf(id)] = now;
  }

  // A new person for `plan`. On PostgreSQL its id comes from ids reserved a few dozen at
  // a time, so the insert need not wait for the id it returns.
  StatusOr<int64_t> InsertPerson(const StitchPlan& plan, int64_t at) {
    if (db_.dialect() != sql::Dialect::kPostgres) {
      TANDEM_ASSIGN_OR_RETURN(
          Statement * insert,
          db_.Prepare("INSERT INTO persons (user_id, email, created_at, updated_at) VALUES (?, ?, "
                      "?, ?) RETURNING id"));
      insert->BindNullable(1, plan.user_id).BindNullable(2, plan.email).Bind(3, at).Bind(4, at);
      return sql::InsertedId(*insert);
    }
    if (person_ids_.empty()) {
      TANDEM_ASSIGN_OR_RETURN(Statement * reserve,
                              db_.Prepare("SELECT nextval(pg_get_serial_sequence('persons', "
                                          "'id')) FROM generate_series(1, ?)"));
      reserve->Bind(1, int64_t{64});
      TANDEM_ASSIGN_OR_RETURN(
          person_ids_, sql::Collect<int64_t>(reserve, [](const Statement& r) { return r.Int(0); }));
      std::reverse(person_ids_.begin(), person_ids_.end());
      if (person_ids_.empty()) return Internal("the persons' sequence gave no id");
    }
    const int64_t id = person_ids_.back();
    person_ids_.pop_back();
    TANDEM_ASSIGN_OR_RETURN(Statement * insert, db_.PrepareBatched(kInsertPerson));
    insert->Bind(1, id)
        .BindNullable(2, plan.user_id)
        .BindNullable(3, plan.email)
        .Bind(4, at)
        .Bind(5, at);
    TANDEM_RETURN_IF_ERROR(insert->Run());
    return id;
  }

  // Those of `ids` whose rows in `table` hold `condition`, a chunk at a time.
  StatusOr<std::vector<int64_t>> IdsWhere(std::string_view table, std::string_view condition,
                                          std::span<const int64_t> ids) {
    std::vector<int64_t> out;
    for (size_t at = 0; at < ids.size(); at += kChunk) {
      const auto some = ids.subspan(at, std::min(kChunk, ids.size() - at));
      TANDEM_ASSIGN_OR_RETURN(
          Statement * stmt, db_.Prepare(fmt::format("SELECT id FROM {} WHERE id IN ({}) AND {}",
                                                    table, sql::IdPlaces(some.size()), condition)));
      sql::BindIds(*stmt, 1, some);
      TANDEM_RETURN_IF_ERROR(
          sql::EachRow(stmt, [&](const Statement& row) { out.push_back(row.Int(0)); }));
    }
    return out;
  }

  // Notes which of `persons` have no lead.
  Status NoteLeadless(std::vector<int64_t> persons) {
    std::sort(persons.begin(), persons.end());
    persons.erase(std::unique(persons.begin(), persons.end()), persons.end());
    TANDEM_ASSIGN_OR_RETURN(auto with_lead, IdsWhere("leads", "erased_at IS NULL", persons));
    std::sort(with_lead.begin(), with_lead.end());
    for (int64_t p : persons) {
      if (!std::binary_search(with_lead.begin(), with_lead.end(), p)) leadless_.insert(p);
    }
    return OkStatus();
  }

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
  std::unordered_map<std::string, std::optional<Known>> identities_;
  std::unordered_set<int64_t> leadless_;
  std::vector<int64_t> person_ids_;  // reserved, last first
};

StatusOr<std::unique_ptr<ProcessingTxn>> SqlStore::BeginProcessing(bool alone) {
  TANDEM_ASSIGN_OR_RETURN(auto scope, BeginWrite(alone ? sql::WriteKind::kProcessingAlone
                                                       : sql::WriteKind::kProcessing));
  return std::unique_ptr<ProcessingTxn>(std::make_unique<SqlProcessingTxn>(std::move(scope)));
}

}  // namespace tandem
