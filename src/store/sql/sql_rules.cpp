// The versions of the lead rules (rules/rule_store.h).
#include <fmt/format.h>

#include "store/sql/sql_db.h"
#include "store/sql/sql_store.h"

namespace tandem {

using sql::Statement;

namespace {

constexpr const char* kRuleColumns = "version, toml, origin, created_by, note, created_at";

RuleVersion ReadRuleVersion(const Statement& s) {
  RuleVersion v;
  v.version = s.Int(0);
  v.toml = s.Text(1);
  v.origin = s.Text(2);
  v.created_by = s.NullableInt(3);
  v.note = s.Text(4);
  v.created_at = FromUnixMillis(s.Int(5));
  return v;
}

StatusOr<int64_t> NewestVersion(sql::Db& db) {
  TANDEM_ASSIGN_OR_RETURN(Statement * newest,
                          db.Prepare("SELECT COALESCE(MAX(version), 0) FROM rule_versions"));
  TANDEM_ASSIGN_OR_RETURN(bool row, newest->Step());
  return row ? newest->Int(0) : 0;
}

}  // namespace

StatusOr<RuleVersion> SqlStore::AddRuleVersion(const RuleVersion& v, int64_t after) {
  RuleVersion added = v;
  added.version = after + 1;
  Status status = Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(int64_t newest, NewestVersion(db));
    if (newest != after) {
      return Conflict("rules_changed",
                      fmt::format("the rules changed meanwhile (version {} is the newest, not {}); "
                                  "reload them and make the change again",
                                  newest, after));
    }
    TANDEM_ASSIGN_OR_RETURN(
        Statement * insert,
        db.Prepare("INSERT INTO rule_versions (version, toml, origin, created_by, note, "
                   "created_at) VALUES (?, ?, ?, ?, ?, ?)"));
    insert->Bind(1, added.version).Bind(2, added.toml).Bind(3, added.origin);
    insert->BindNullable(4, added.created_by).Bind(5, added.note);
    insert->Bind(6, ToUnixMillis(added.created_at));
    return insert->Run();
  });
  if (status.code() == StatusCode::kConflict && status.error_code() != "rules_changed") {
    // Another instance added the same version number in the same moment.
    return Conflict("rules_changed", "the rules changed meanwhile; reload them and try again");
  }
  TANDEM_RETURN_IF_ERROR(status);
  return added;
}

StatusOr<std::optional<RuleVersion>> SqlStore::LatestRuleVersion() {
  TANDEM_ASSIGN_OR_RETURN(auto versions, ListRuleVersions(1));
  if (versions.empty()) return std::optional<RuleVersion>();
  return std::optional<RuleVersion>(std::move(versions[0]));
}

StatusOr<std::vector<RuleVersion>> SqlStore::ListRuleVersions(size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(
          fmt::format("SELECT {} FROM rule_versions ORDER BY version DESC LIMIT ?", kRuleColumns)));
  stmt->Bind(1, static_cast<int64_t>(limit));
  return sql::Collect<RuleVersion>(
      stmt, [](const Statement& s) -> StatusOr<RuleVersion> { return ReadRuleVersion(s); });
}

}  // namespace tandem
