// Templates, saved filters and broadcasts.
#include <fmt/format.h>

#include "store/sql/sql_email.h"
#include "store/sql/sql_store.h"

namespace tandem {

using sql::Statement;

namespace {

constexpr const char* kTemplateColumns =
    "key, version, name, purpose, subject, preheader, html, layout, created_by, created_at";

StatusOr<StoredTemplate> ReadTemplate(const Statement& s) {
  StoredTemplate t;
  t.key = s.Text(0);
  t.version = s.Int(1);
  t.name = s.Text(2);
  TANDEM_ASSIGN_OR_RETURN(t.purpose, sql::ReadEnum(s, 3, "email_templates.purpose", &ParsePurpose));
  t.subject = s.Text(4);
  t.preheader = s.Text(5);
  t.html = s.Text(6);
  t.layout = s.Text(7);
  t.created_by = s.NullableInt(8);
  t.created_at = FromUnixMillis(s.Int(9));
  return t;
}

constexpr const char* kFilterColumns = "id, name, query, created_by, created_at, updated_at";

SavedFilter ReadFilter(const Statement& s) {
  SavedFilter f;
  f.id = s.Int(0);
  f.name = s.Text(1);
  f.query = s.Text(2);
  f.created_by = s.NullableInt(3);
  f.created_at = FromUnixMillis(s.Int(4));
  f.updated_at = FromUnixMillis(s.Int(5));
  return f;
}

constexpr const char* kBroadcastColumns =
    "id, name, template_key, template_version, filter_id, filter_query, state, scheduled_at, "
    "started_at, finished_at, next_lead_id, created_by, created_at, updated_at, test_phase, "
    "test_experiment_id, rest_arm";

StatusOr<Broadcast> ReadBroadcast(const Statement& s) {
  Broadcast b;
  b.id = s.Int(0);
  b.name = s.Text(1);
  b.template_key = s.Text(2);
  b.template_version = s.Int(3);
  b.filter_id = s.Int(4);
  b.filter_query = s.Text(5);
  TANDEM_ASSIGN_OR_RETURN(b.state, sql::ReadEnum(s, 6, "broadcasts.state", &ParseBroadcastState));
  b.scheduled_at = sql::OptionalTime(s, 7);
  b.started_at = sql::OptionalTime(s, 8);
  b.finished_at = sql::OptionalTime(s, 9);
  b.next_lead_id = s.Int(10);
  b.created_by = s.NullableInt(11);
  b.created_at = FromUnixMillis(s.Int(12));
  b.updated_at = FromUnixMillis(s.Int(13));
  b.test_phase = s.Text(14);
  b.test_experiment_id = s.NullableInt(15);
  if (!s.IsNull(16)) b.rest_arm = static_cast<size_t>(s.Int(16));
  return b;
}

}  // namespace

namespace sql {

StatusOr<bool> AdvanceBroadcastCursor(Db& db, int64_t broadcast_id, int64_t from, int64_t to,
                                      TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("UPDATE broadcasts SET next_lead_id = ?, updated_at = ? WHERE id = ? AND "
                 "next_lead_id = ? AND state = 'sending'"));
  stmt->Bind(1, to).Bind(2, ToUnixMillis(now)).Bind(3, broadcast_id).Bind(4, from);
  TANDEM_RETURN_IF_ERROR(stmt->Run());
  return db.Changes() == 1;
}

}  // namespace sql

StatusOr<StoredTemplate> SqlStore::SaveTemplate(const StoredTemplate& t) {
  StoredTemplate saved = t;
  const Status written = Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * last,
        db.Prepare("SELECT COALESCE(MAX(version), 0) FROM email_templates WHERE key = ?"));
    last->Bind(1, t.key);
    TANDEM_ASSIGN_OR_RETURN(auto version,
                            sql::First<int64_t>(last, [](const Statement& s) { return s.Int(0); }));
    saved.version = version.value_or(0) + 1;
    TANDEM_ASSIGN_OR_RETURN(
        Statement * insert,
        db.Prepare(fmt::format("INSERT INTO email_templates ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                               "?, ?)",
                               kTemplateColumns)));
    insert->Bind(1, saved.key)
        .Bind(2, saved.version)
        .Bind(3, saved.name)
        .Bind(4, PurposeName(saved.purpose))
        .Bind(5, saved.subject)
        .Bind(6, saved.preheader)
        .Bind(7, saved.html)
        .Bind(8, saved.layout)
        .BindNullable(9, saved.created_by)
        .Bind(10, ToUnixMillis(saved.created_at));
    return insert->Run();
  });
  TANDEM_RETURN_IF_ERROR(written);
  return saved;
}

StatusOr<std::optional<StoredTemplate>> SqlStore::GetTemplate(std::string_view key,
                                                              std::optional<int64_t> version) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  std::string sql = fmt::format("SELECT {} FROM email_templates WHERE key = ? {}", kTemplateColumns,
                                version ? "AND version = ?" : "ORDER BY version DESC LIMIT 1");
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, lease->db().Prepare(sql));
  stmt->Bind(1, key);
  if (version) stmt->Bind(2, *version);
  TANDEM_ASSIGN_OR_RETURN(auto rows, sql::Collect<StoredTemplate>(stmt, ReadTemplate));
  if (rows.empty()) return std::optional<StoredTemplate>();
  return std::optional<StoredTemplate>(std::move(rows.front()));
}

StatusOr<std::vector<StoredTemplate>> SqlStore::ListTemplates() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(
          fmt::format("SELECT {} FROM email_templates t WHERE version = (SELECT MAX(version) FROM "
                      "email_templates u WHERE u.key = t.key) ORDER BY key",
                      kTemplateColumns)));
  return sql::Collect<StoredTemplate>(stmt, ReadTemplate);
}

StatusOr<std::vector<StoredTemplate>> SqlStore::ListTemplateVersions(std::string_view key) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(fmt::format(
          "SELECT {} FROM email_templates WHERE key = ? ORDER BY version DESC", kTemplateColumns)));
  stmt->Bind(1, key);
  return sql::Collect<StoredTemplate>(stmt, ReadTemplate);
}

StatusOr<SavedFilter> SqlStore::PutFilter(const SavedFilter& filter) {
  SavedFilter saved = filter;
  const Status written = Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(Statement * taken,
                            db.Prepare("SELECT id FROM lead_filters WHERE name = ? AND id <> ?"));
    taken->Bind(1, filter.name).Bind(2, filter.id);
    TANDEM_ASSIGN_OR_RETURN(
        auto other, sql::First<int64_t>(taken, [](const Statement& s) { return s.Int(0); }));
    if (other) {
      return Conflict("name_taken",
                      fmt::format("a lead filter named \"{}\" already exists", filter.name));
    }
    if (filter.id == 0) {
      TANDEM_ASSIGN_OR_RETURN(
          Statement * insert,
          db.Prepare("INSERT INTO lead_filters (name, query, created_by, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?) RETURNING id"));
      insert->Bind(1, filter.name)
          .Bind(2, filter.query)
          .BindNullable(3, filter.created_by)
          .Bind(4, ToUnixMillis(filter.created_at))
          .Bind(5, ToUnixMillis(filter.updated_at));
      TANDEM_ASSIGN_OR_RETURN(saved.id, sql::InsertedId(*insert));
      return OkStatus();
    }
    TANDEM_ASSIGN_OR_RETURN(
        Statement * update,
        db.Prepare("UPDATE lead_filters SET name = ?, query = ?, updated_at = ? WHERE id = ?"));
    update->Bind(1, filter.name)
        .Bind(2, filter.query)
        .Bind(3, ToUnixMillis(filter.updated_at))
        .Bind(4, filter.id);
    TANDEM_RETURN_IF_ERROR(update->Run());
    if (db.Changes() == 0) {
      return NotFound("not_found", fmt::format("lead filter flt_{} does not exist", filter.id));
    }
    return OkStatus();
  });
  TANDEM_RETURN_IF_ERROR(written);
  return saved;
}

StatusOr<std::optional<SavedFilter>> SqlStore::GetFilter(int64_t id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(fmt::format("SELECT {} FROM lead_filters WHERE id = ?", kFilterColumns)));
  stmt->Bind(1, id);
  return sql::First<SavedFilter>(stmt, ReadFilter);
}

StatusOr<std::vector<SavedFilter>> SqlStore::ListFilters() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt, lease->db().Prepare(fmt::format("SELECT {} FROM lead_filters ORDER BY name",
                                                        kFilterColumns)));
  return sql::Collect<SavedFilter>(stmt, ReadFilter);
}

StatusOr<bool> SqlStore::DeleteFilter(int64_t id) {
  bool deleted = false;
  const Status written = Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare("DELETE FROM lead_filters WHERE id = ?"));
    stmt->Bind(1, id);
    TANDEM_RETURN_IF_ERROR(stmt->Run());
    deleted = db.Changes() > 0;
    return OkStatus();
  });
  TANDEM_RETURN_IF_ERROR(written);
  return deleted;
}

namespace {

// Binds a broadcast's columns after `id` (name … updated_at) from `first` on.
void BindBroadcast(Statement& s, int first, const Broadcast& b) {
  s.Bind(first, b.name)
      .Bind(first + 1, b.template_key)
      .Bind(first + 2, b.template_version)
      .Bind(first + 3, b.filter_id)
      .Bind(first + 4, b.filter_query)
      .Bind(first + 5, BroadcastStateName(b.state))
      .BindNullable(first + 6, sql::OptionalMillis(b.scheduled_at))
      .BindNullable(first + 7, sql::OptionalMillis(b.started_at))
      .BindNullable(first + 8, sql::OptionalMillis(b.finished_at))
      .Bind(first + 9, b.next_lead_id)
      .BindNullable(first + 10, b.created_by)
      .Bind(first + 11, ToUnixMillis(b.created_at))
      .Bind(first + 12, ToUnixMillis(b.updated_at))
      .Bind(first + 13, b.test_phase)
      .BindNullable(first + 14, b.test_experiment_id)
      .BindNullable(first + 15, b.rest_arm ? std::optional<int64_t>(*b.rest_arm) : std::nullopt);
}

}  // namespace

StatusOr<Broadcast> SqlStore::CreateBroadcast(const Broadcast& broadcast) {
  Broadcast saved = broadcast;
  const Status written = Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * insert,
        db.Prepare("INSERT INTO broadcasts (name, template_key, template_version, filter_id, "
                   "filter_query, state, scheduled_at, started_at, finished_at, next_lead_id, "
                   "created_by, created_at, updated_at, test_phase, test_experiment_id, rest_arm) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
    BindBroadcast(*insert, 1, broadcast);
    TANDEM_ASSIGN_OR_RETURN(saved.id, sql::InsertedId(*insert));
    return OkStatus();
  });
  TANDEM_RETURN_IF_ERROR(written);
  return saved;
}

StatusOr<std::optional<Broadcast>> SqlStore::GetBroadcast(int64_t id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          lease->db().Prepare(fmt::format("SELECT {} FROM broadcasts WHERE id = ?",
                                                          kBroadcastColumns)));
  stmt->Bind(1, id);
  TANDEM_ASSIGN_OR_RETURN(auto rows, sql::Collect<Broadcast>(stmt, ReadBroadcast));
  if (rows.empty()) return std::optional<Broadcast>();
  return std::optional<Broadcast>(std::move(rows.front()));
}

StatusOr<std::vector<Broadcast>> SqlStore::ListBroadcasts() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          lease->db().Prepare(fmt::format(
                              "SELECT {} FROM broadcasts ORDER BY id DESC", kBroadcastColumns)));
  return sql::Collect<Broadcast>(stmt, ReadBroadcast);
}

StatusOr<bool> SqlStore::UpdateBroadcast(const Broadcast& b, std::vector<BroadcastState> from) {
  bool updated = false;
  const Status written = Write([&](sql::Db& db) -> Status {
    std::vector<std::string_view> marks(from.size(), "?");
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db.Prepare(fmt::format(
            "UPDATE broadcasts SET name = ?, template_key = ?, template_version = ?, filter_id = "
            "?, filter_query = ?, state = ?, scheduled_at = ?, started_at = ?, finished_at = ?, "
            "next_lead_id = ?, created_by = ?, created_at = ?, updated_at = ?, test_phase = ?, "
            "test_experiment_id = ?, rest_arm = ? WHERE id = ? AND state IN ({})",
            fmt::join(marks, ", "))));
    BindBroadcast(*stmt, 1, b);
    stmt->Bind(17, b.id);
    for (size_t i = 0; i < from.size(); ++i) {
      stmt->Bind(static_cast<int>(18 + i), BroadcastStateName(from[i]));
    }
    TANDEM_RETURN_IF_ERROR(stmt->Run());
    updated = db.Changes() > 0;
    return OkStatus();
  });
  TANDEM_RETURN_IF_ERROR(written);
  return updated;
}

StatusOr<std::vector<Broadcast>> SqlStore::BroadcastsToRun(TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(fmt::format("SELECT {} FROM broadcasts WHERE state = 'sending' OR "
                                      "(state = 'scheduled' AND scheduled_at <= ?) ORDER BY id",
                                      kBroadcastColumns)));
  stmt->Bind(1, ToUnixMillis(now));
  return sql::Collect<Broadcast>(stmt, ReadBroadcast);
}

}  // namespace tandem
