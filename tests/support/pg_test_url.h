// The URL of the throw-away PostgreSQL cluster the test run started
// (scripts/pg-test-cluster.sh, a CTest fixture), from TANDEM_TEST_PG_URL_FILE or
// TANDEM_TEST_PG_URL.
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>

namespace tandem::testing {

inline std::string PgTestUrl() {
  if (const char* url = std::getenv("TANDEM_TEST_PG_URL"); url && *url) return url;
  const char* file = std::getenv("TANDEM_TEST_PG_URL_FILE");
  if (!file) return "";
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  return url;
}

}  // namespace tandem::testing
