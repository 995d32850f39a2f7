#include "store/postgres/pg_db.h"

#include <fmt/format.h>

#include <cctype>

namespace tandem::pg {

std::string ToDollarPlaceholders(std::string_view sql, int* params) {
  std::string out;
  out.reserve(sql.size() + 16);
  int highest = 0;
  char quote = 0;  // inside '…' or "…"
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      out += c;
      if (c == quote) quote = 0;  // a doubled quote reopens on the next character
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
      continue;
    }
    if (c != '?') {
      out += c;
      continue;
    }
    size_t j = i + 1;
    int number = 0;
    while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) {
      number = number * 10 + (sql[j] - '0');
      ++j;
    }
    if (j == i + 1) number = highest + 1;  // a bare ? takes the next number, as in SQLite
    highest = std::max(highest, number);
    out += fmt::format("${}", number);
    i = j - 1;
  }
  if (params) *params = highest;
  return out;
}

StatusOr<bool> Statement::Step() {
  if (!result_) {
    TANDEM_ASSIGN_OR_RETURN(Result result, db_.conn().Query(sql_, params_));
    result_.emplace(std::move(result));
    row_ = -1;
  }
  return ++row_ < result_->rows();
}

Status Statement::Run() {
  if (result_) return sql::Statement::Run();  // stepped already: read to the end
  return db_.conn().Send(sql_, params_);
}

void Statement::Reset() {
  result_.reset();
  row_ = -1;
  for (Param& p : params_) p = Param(std::nullopt);
}

int64_t Statement::Int(int column) const {
  std::string_view text = result_->Text(row_, column);
  if (text == "t") return 1;  // a boolean expression reads as SQLite's 1 and 0
  if (text == "f") return 0;
  return result_->Int(row_, column);
}

StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& url) {
  TANDEM_ASSIGN_OR_RETURN(auto conn, Connection::Open(url));
  return std::unique_ptr<Database>(new Database(std::move(conn)));
}

StatusOr<sql::Statement*> Database::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    int params = 0;
    std::string text = ToDollarPlaceholders(sql, &params);
    it = cache_.emplace(sql, std::make_unique<Statement>(*this, std::move(text), params)).first;
  } else {
    it->second->Reset();
  }
  return static_cast<sql::Statement*>(it->second.get());
}

void Database::ResetStatements() {
  for (auto& [_, stmt] : cache_) stmt->Reset();
}

}  // namespace tandem::pg
