#include "store/sql/sql_db.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <ranges>
#include <vector>

namespace tandem::sql {

Status Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return OkStatus();
  }
}

StatusOr<int64_t> InsertedId(Statement& insert) {
  auto row = insert.Step();
  if (!row.ok()) {
    insert.Reset();
    return row.status();
  }
  if (!*row) {
    insert.Reset();
    return Internal("an insert returned no id");
  }
  const int64_t id = insert.Int(0);
  insert.Reset();  // finishes the statement
  return id;
}

std::string Upsert(std::string_view table, std::string_view columns, std::string_view key) {
  std::vector<std::string> marks, sets;
  for (auto part : columns | std::views::split(',')) {
    std::string_view column(part.begin(), part.end());
    while (!column.empty() && column.front() == ' ') column.remove_prefix(1);
    marks.emplace_back("?");
    if (column != key) sets.push_back(fmt::format("{0} = excluded.{0}", column));
  }
  return fmt::format("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}", table,
                     columns, fmt::join(marks, ", "), key, fmt::join(sets, ", "));
}

namespace {

size_t Places(size_t count) {
  size_t places = 1;
  while (places < count) places *= 2;
  return places;
}

}  // namespace

std::string IdPlaces(size_t count) {
  std::string out = "?";
  for (size_t i = 1; i < Places(count); ++i) out += ",?";
  return out;
}

int BindIds(Statement& stmt, int first, std::span<const int64_t> ids) {
  const size_t places = Places(ids.size());
  for (size_t i = 0; i < places; ++i) {
    stmt.Bind(first + static_cast<int>(i), i < ids.size() ? ids[i] : int64_t{0});
  }
  return first + static_cast<int>(places);
}

Status UnknownColumnValue(std::string_view column, std::string_view value) {
  return Internal(
      fmt::format("{} holds \"{}\", which is not a value this version knows", column, value));
}

std::string JsonText(const Db& db, std::string_view column, std::string_view key) {
  if (db.dialect() == Dialect::kPostgres) return fmt::format("({}::jsonb ->> '{}')", column, key);
  return fmt::format("json_extract({}, '$.{}')", column, key);
}

std::optional<TimePoint> OptionalTime(const Statement& row, int column) {
  if (row.IsNull(column)) return std::nullopt;
  return FromUnixMillis(row.Int(column));
}

std::optional<int64_t> OptionalMillis(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return ToUnixMillis(*t);
}

std::string LikeContaining(std::string_view text) {
  std::string pattern = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + '%';
}

}  // namespace tandem::sql
