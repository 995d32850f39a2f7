// The SQLite store's read connections: ordinary reads map the file (read without a copy),
// reads inside BulkReads do not, so a pass over every lead leaves none of the file in
// Tandem's resident memory; the mapping size is a store option.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <thread>

#include "app/open_store.h"
#include "core/bulk_reads.h"
#include "store/store.h"
#include "testing/temp_dir.h"

namespace tandem {
namespace {

// Whether this process maps `path` (a line of /proc/self/maps names it).
bool Mapped(const std::string& path) {
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    if (line.size() >= path.size() && line.ends_with(path)) return true;
  }
  return false;
}

struct Fixture {
  testing::TempDir dir;
  std::string path = (dir.path() / "tandem.db").string();

  // A store whose setting is in the database file itself: written, then closed (which
  // moves the write-ahead log into the file), then opened again.
  std::unique_ptr<Store> Open(const StoreOptions& options) {
    {
      auto store = OpenStore(dir.SqliteUrl(), options);
      EXPECT_TRUE(store.ok()) << store.status().ToString();
      EXPECT_TRUE((*store)->PutSetting("greeting", "hello").ok());
    }
    EXPECT_FALSE(Mapped(path));
    auto store = OpenStore(dir.SqliteUrl(), options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return std::move(*store);
  }
};

TEST(SqliteReads, BulkReadsDoNotMapTheFileOrdinaryReadsDo) {
  Fixture f;
  auto store = f.Open(StoreOptions{});
  std::thread([&] {
    const BulkReads bulk;
    auto value = store->GetSetting("greeting");
    ASSERT_TRUE(value.ok());
    EXPECT_EQ(value->value_or(""), "hello");
  }).join();
  EXPECT_FALSE(Mapped(f.path)) << "a bulk read mapped the file";
  auto value = store->GetSetting("greeting");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->value_or(""), "hello");
  EXPECT_TRUE(Mapped(f.path)) << "an ordinary read did not map the file";
}

TEST(SqliteReads, MappingCanBeTurnedOff) {
  Fixture f;
  StoreOptions options;
  options.sqlite_mmap_bytes = 0;
  auto store = f.Open(options);
  auto value = store->GetSetting("greeting");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->value_or(""), "hello");
  EXPECT_FALSE(Mapped(f.path));
}

TEST(SqliteReads, TheHintStaysOnItsThread) {
  EXPECT_FALSE(BulkReads::Active());
  const BulkReads bulk;
  EXPECT_TRUE(BulkReads::Active());
  std::thread([] { EXPECT_FALSE(BulkReads::Active()); }).join();
  {
    const BulkReads nested;
    EXPECT_TRUE(BulkReads::Active());
  }
  EXPECT_TRUE(BulkReads::Active());
}

}  // namespace
}  // namespace tandem
