// Accounts as the accounts page sees them: the companies leads work at, by domain, with
// their leads counted and the owner routing would give a new lead there.
#include <fmt/format.h>

#include "store/sql/sql_db.h"
#include "store/sql/sql_store.h"

namespace tandem {

using sql::Statement;

namespace {

// One row per account of the leads `where` selects (parameters bound from 1).
std::string AccountsSql(std::string_view where) {
  return fmt::format(
      "SELECT l.account_domain, COALESCE(MAX(a.name), ''), COUNT(*), SUM(CASE WHEN l.stage IN "
      "('mql', 'sal', 'sql', 'opportunity') THEN 1 ELSE 0 END), MAX(l.updated_at), (SELECT "
      "o.owner_id FROM account_owners o WHERE o.account_domain = l.account_domain ORDER BY "
      "o.started_at DESC, o.lead_id DESC LIMIT 1) FROM leads l LEFT JOIN accounts a ON a.domain "
      "= l.account_domain WHERE l.account_domain IS NOT NULL AND l.account_domain <> '' AND "
      "l.erased_at IS NULL AND {} GROUP BY l.account_domain",
      where);
}

AccountSummary ReadAccount(const Statement& s) {
  AccountSummary a;
  a.domain = s.Text(0);
  a.name = s.Text(1);
  a.leads = s.Int(2);
  a.open_leads = s.Int(3);
  a.last_activity = FromUnixMillis(s.Int(4));
  a.owner_id = s.NullableInt(5);
  return a;
}

}  // namespace

StatusOr<std::vector<AccountSummary>> SqlStore::ListAccounts(std::string_view search,
                                                             size_t limit) {
  const std::string pattern = sql::LikeContaining(search);
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(
          AccountsSql("(lower(l.account_domain) LIKE lower(?) ESCAPE '\\' OR lower(COALESCE("
                      "a.name, '')) LIKE lower(?) ESCAPE '\\')") +
          " ORDER BY COUNT(*) DESC, l.account_domain LIMIT ?"));
  stmt->Bind(1, pattern).Bind(2, pattern).Bind(3, static_cast<int64_t>(limit));
  return sql::Collect<AccountSummary>(
      stmt, [](const Statement& s) -> StatusOr<AccountSummary> { return ReadAccount(s); });
}

StatusOr<std::optional<AccountSummary>> SqlStore::GetAccount(std::string_view domain) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          lease->db().Prepare(AccountsSql("l.account_domain = ?")));
  stmt->Bind(1, domain);
  TANDEM_ASSIGN_OR_RETURN(auto rows, sql::Collect<AccountSummary>(
                                         stmt, [](const Statement& s) -> StatusOr<AccountSummary> {
                                           return ReadAccount(s);
                                         }));
  if (rows.empty()) return std::optional<AccountSummary>();
  return std::optional<AccountSummary>(std::move(rows[0]));
}

}  // namespace tandem
