// PostgreSQL for the benchmarks: `make bench` starts a throw-away cluster with durable
// settings and names it in TANDEM_BENCH_PG_URL; without it the PostgreSQL figures are
// left out.
#pragma once

#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "store/postgres/pg_connection.h"

namespace tandem::bench {

// The cluster's URL, or "" when none was given.
inline std::string PgBenchUrl() {
  const char* url = std::getenv("TANDEM_BENCH_PG_URL");
  return url ? url : "";
}

// `base` with a search_path of `schema`, which is created empty (dropped first).
inline std::string PgSchemaUrl(const std::string& base, const std::string& schema) {
  auto admin = pg::Connection::Open(base);
  if (!admin.ok()) throw std::runtime_error(admin.status().ToString());
  Status made =
      (*admin)->Exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", schema));
  if (!made.ok()) throw std::runtime_error(made.ToString());
  return fmt::format("{}{}options=-csearch_path%3D{}", base,
                     base.find('?') == std::string::npos ? "?" : "&", schema);
}

}  // namespace tandem::bench
