#include "store/postgres/pg_db.h"

#include <fmt/format.h>

#include <algorithm>
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

void ArrayLiteral::Add(std::string_view text) {
  Separate();
  out_ += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') out_ += '\\';
    out_ += c;
  }
  out_ += '"';
}

void ArrayLiteral::Add(int64_t value) {
  Separate();
  out_ += std::to_string(value);
}

void ArrayLiteral::AddNullable(std::string_view text) {
  if (text.empty()) {
    AddNull();
  } else {
    Add(text);
  }
}

void ArrayLiteral::AddNull() {
  Separate();
  out_ += "NULL";
}

StatusOr<bool> Statement::Step() {
  if (!result_) {
    TANDEM_RETURN_IF_ERROR(db_.FlushBatched());
    TANDEM_ASSIGN_OR_RETURN(Result result, db_.conn().Query(sql_, params_));
    result_.emplace(std::move(result));
    row_ = -1;
  }
  return ++row_ < result_->rows();
}

Status Statement::Run() {
  if (result_) return sql::Statement::Run();  // stepped already: read to the end
  TANDEM_RETURN_IF_ERROR(db_.FlushBatched());
  return db_.conn().Send(sql_, params_);
}

void Statement::Reset() {
  result_.reset();
  row_ = -1;
  ClearParams();
}

int64_t Statement::Int(int column) const {
  std::string_view text = result_->Text(row_, column);
  if (text == "t") return 1;  // a boolean expression reads as SQLite's 1 and 0
  if (text == "f") return 0;
  return result_->Int(row_, column);
}

namespace {

// Rows a batched write keeps before it sends them anyway, so a statement stays small.
constexpr size_t kMaxBatchedRows = 1024;

int PlacesOf(const char* sql) {
  int places = 0;
  ToDollarPlaceholders(sql, &places);
  return places;
}

}  // namespace

BatchedStatement::BatchedStatement(Database& db, const sql::BatchedWrite& write)
    : ParamStatement(PlacesOf(write.one)),
      db_(db),
      many_(write.many),
      at_commit_(write.at_commit),
      columns_(params_.size()) {}

StatusOr<bool> BatchedStatement::Step() {
  TANDEM_RETURN_IF_ERROR(Run());
  return false;
}

Status BatchedStatement::Run() {
  // Full: what is kept goes first, so this row opens the next window ahead of any
  // write whose rows follow this one's (a count's drop after its addition). Rows kept
  // for the commit wait for it however many they are.
  if (at_commit_ == 0 && rows_ >= kMaxBatchedRows) TANDEM_RETURN_IF_ERROR(db_.FlushBatched());
  for (size_t i = 0; i < params_.size(); ++i) {
    if (params_[i].null()) {
      columns_[i].AddNull();
    } else {
      columns_[i].Add(std::string_view(params_[i].c_str()));
    }
  }
  Reset();
  if (rows_++ == 0) (at_commit_ == 0 ? db_.waiting_ : db_.at_commit_).push_back(this);
  return OkStatus();
}

Status BatchedStatement::Flush() {
  std::vector<Param> arrays;
  arrays.reserve(columns_.size());
  for (const ArrayLiteral& column : columns_) arrays.emplace_back(column.Finish());
  Drop();
  return db_.conn().Send(many_, arrays);
}

// The row being bound stays (a Run() that finds the statement full flushes, then keeps
// it); PrepareBatched clears it for the next use.
void BatchedStatement::Drop() {
  for (ArrayLiteral& column : columns_) column = ArrayLiteral();
  rows_ = 0;
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

Status Database::Exec(std::string_view sql) {
  TANDEM_RETURN_IF_ERROR(FlushBatched());
  return conn_->Exec(sql);
}

StatusOr<sql::Statement*> Database::PrepareBatched(const sql::BatchedWrite& write) {
  if (!batches_writes()) return Prepare(write.one);
  auto it = batched_.find(write.many);
  if (it == batched_.end()) {
    it = batched_.emplace(write.many, std::make_unique<BatchedStatement>(*this, write)).first;
  } else {
    it->second->Reset();
  }
  return static_cast<sql::Statement*>(it->second.get());
}

namespace {

// Sends each write's rows in turn; after a failure, drops what is left of all of them.
Status SendEach(const std::vector<BatchedStatement*>& writes) {
  for (BatchedStatement* write : writes) {
    Status sent = write->Flush();
    if (!sent.ok()) {
      for (BatchedStatement* w : writes) w->Drop();
      return sent;
    }
  }
  return OkStatus();
}

}  // namespace

Status Database::FlushBatched() {
  if (waiting_.empty()) return OkStatus();
  std::vector<BatchedStatement*> waiting;
  waiting.swap(waiting_);
  return SendEach(waiting);
}

Status Database::FlushAtCommit() {
  TANDEM_RETURN_IF_ERROR(FlushBatched());
  std::vector<BatchedStatement*> kept;
  kept.swap(at_commit_);
  std::stable_sort(kept.begin(), kept.end(),
                   [](const BatchedStatement* a, const BatchedStatement* b) {
                     return a->at_commit_ < b->at_commit_;
                   });
  return SendEach(kept);
}

void Database::DropBatched() {
  for (BatchedStatement* write : waiting_) write->Drop();
  waiting_.clear();
  for (BatchedStatement* write : at_commit_) write->Drop();
  at_commit_.clear();
}

namespace {

// Transaction-scoped advisory locks: the turns ("tandem" + a byte, after the store's
// own), and the class of the two-key form whose second key is a name's hash.
constexpr int64_t kLeadsSharedTurn = 0x74616e64656d03;
constexpr int64_t kOutboxTurn = 0x74616e64656d04;
constexpr int32_t kHeldNames = 0x74616e64;

}  // namespace

Status Database::Hold(sql::Turn turn) {
  if (!concurrent_ || std::find(turns_.begin(), turns_.end(), turn) != turns_.end()) {
    return OkStatus();
  }
  TANDEM_ASSIGN_OR_RETURN(sql::Statement * lock, Prepare("SELECT pg_advisory_xact_lock(?)"));
  lock->Bind(1, turn == sql::Turn::kOutbox ? kOutboxTurn : kLeadsSharedTurn);
  TANDEM_RETURN_IF_ERROR(sql::EachRow(lock, [](const sql::Statement&) {}));
  turns_.push_back(turn);
  return OkStatus();
}

// A name's lock is the database's: its hash takes in the schema, so stores in other
// schemas of the database (tests run side by side, say) do not hold each other's.
StatusOr<std::vector<bool>> Database::TryHold(std::span<const std::string> names) {
  if (!concurrent_ || names.empty()) return sql::Db::TryHold(names);
  ArrayLiteral all;
  for (const std::string& name : names) all.Add(name);
  TANDEM_ASSIGN_OR_RETURN(
      sql::Statement * hold,
      Prepare(
          fmt::format("SELECT pg_try_advisory_xact_lock({}, hashtext(current_schema() || n)) FROM "
                      "unnest(?::text[]) WITH ORDINALITY AS x(n, i) ORDER BY i",
                      kHeldNames)));
  hold->Bind(1, all.Finish());
  std::vector<bool> held;
  held.reserve(names.size());
  TANDEM_RETURN_IF_ERROR(
      sql::EachRow(hold, [&](const sql::Statement& row) { held.push_back(row.Int(0) != 0); }));
  if (held.size() != names.size()) return Internal("a lock asked for went unanswered");
  return held;
}

void Database::ResetStatements() {
  DropBatched();
  for (auto& [_, stmt] : cache_) stmt->Reset();
}

}  // namespace tandem::pg
