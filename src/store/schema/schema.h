// Tandem's schema as versioned migrations, one SQL file per version and dialect
// (store/schema/sqlite/, store/schema/postgres/), compiled into the binary by
// embed_schema.cmake. Both dialects have the same versions, names and descriptions
// (a test checks it); a released version never changes. See store/schema/README.md.
#pragma once

#include <span>
#include <string_view>

namespace tandem::schema {

struct Migration {
  int version;                   // from the file name: 0002_... is 2
  std::string_view name;         // the rest of the file name: "leads_users_outbox"
  std::string_view description;  // the file's first line, kept in schema_migrations
  std::string_view sql;          // the whole file, run as one script
};

// Each in version order, from 1 without gaps. Static data: valid for the program's life.
std::span<const Migration> SqliteMigrations();
std::span<const Migration> PostgresMigrations();

}  // namespace tandem::schema
