// The schema's migration files, as compiled in: both dialects list the same versions,
// from 1 without gaps, with the same names and descriptions, so adding a migration to
// one dialect and not the other fails here. (pg_migrations_test compares the tables and
// columns the two give.)
#include "store/schema/schema.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

namespace tandem::schema {
namespace {

using Listing = std::vector<std::tuple<int, std::string, std::string>>;

Listing List(std::span<const Migration> migrations) {
  Listing out;
  for (const Migration& m : migrations) {
    out.emplace_back(m.version, std::string(m.name), std::string(m.description));
  }
  return out;
}

TEST(SchemaMigrations, BothDialectsHaveTheSameVersionsNamesAndDescriptions) {
  ASSERT_GE(SqliteMigrations().size(), 7u);
  EXPECT_EQ(List(PostgresMigrations()), List(SqliteMigrations()));
}

TEST(SchemaMigrations, VersionsCountFromOneWithoutGaps) {
  for (auto migrations : {SqliteMigrations(), PostgresMigrations()}) {
    int expected = 1;
    for (const Migration& m : migrations) EXPECT_EQ(m.version, expected++) << m.name;
  }
}

TEST(SchemaMigrations, EachFileIsItsDescriptionLineThenItsStatements) {
  for (auto migrations : {SqliteMigrations(), PostgresMigrations()}) {
    for (const Migration& m : migrations) {
      EXPECT_FALSE(m.description.empty()) << m.version;
      EXPECT_TRUE(m.sql.starts_with("-- " + std::string(m.description) + "\n")) << m.version;
      EXPECT_NE(m.sql.find(';'), std::string_view::npos) << m.version;
    }
  }
}

}  // namespace
}  // namespace tandem::schema
