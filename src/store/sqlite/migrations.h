// The SQLite schema, as versioned migrations. PostgreSQL keeps the same versions
// with its own dialect; a version, once released, never changes.
#pragma once

#include <span>
#include <string_view>

namespace tandem::sqlite {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

std::span<const Migration> Migrations();

}  // namespace tandem::sqlite
