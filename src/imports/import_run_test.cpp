#include "imports/import_run.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/time_format.h"

namespace tandem {
namespace {

const TimePoint kNow = *ParseIsoTime("2026-12-01T10:00:00Z");

std::vector<UserRecord> Users() {
  UserRecord ana;
  ana.id = 3;
  ana.email = "Ana.Rep@Example.com";
  ana.name = "Ana Lopez";
  UserRecord bo;
  bo.id = 4;
  bo.email = "bo@example.com";
  bo.name = "Bo Chen";
  UserRecord bo2 = bo;
  bo2.id = 5;
  bo2.email = "bo.two@example.com";
  UserRecord gone;
  gone.id = 6;
  gone.email = "gone@example.com";
  gone.name = "Gone Person";
  gone.active = false;
  return {ana, bo, bo2, gone};
}

const char* kFile =
    "Record ID,First Name,Last Name,Email,Company Name,Contact owner,Unsubscribed from all "
    "email\r\n"
    "1,Jane,Doe,jane@acme.test,Acme,ana.rep@example.com,No\r\n"     // line 2
    "2,Bad,Email,jane@,Acme,,No\r\n"                                // 3: invalid email
    "3,Zed,Who,zed@acme.test,Acme,nobody@example.com,No\r\n"        // 4: unknown owner
    "4,Ann,Amb,ann@acme.test,Acme,Bo Chen,No\r\n"                   // 5: two users named so
    "5,Old,Owner,old@acme.test,Acme,Gone Person,No\r\n"             // 6: inactive owner
    "6,Jane,Again,JANE@acme.test,\"Acme, Inc.\",Ana Lopez,Yes\r\n"  // 7: same address
    "7,Bro\"ken,Quote,x@acme.test,Acme,,No\r\n"                     // 8: broken quoting
    "8,Sam,Lee,sam@acme.test,Beta,,No\r\n";                         // 9

class ImportRunTest : public ::testing::Test {
 protected:
  StatusOr<ImportSummary> Run(const ImportOptions& options) {
    std::istringstream in(kFile);
    ImportSink sink = [&](std::span<const EventRecord> events) -> StatusOr<AppendResult> {
      AppendResult result;
      for (const EventRecord& e : events) {
        const bool fresh = stored_ids_.insert(e.message_id).second;
        result.inserted.push_back(fresh);
        if (fresh) {
          ++result.stored;
          stored_.push_back(e);
        } else {
          ++result.duplicates;
        }
      }
      return result;
    };
    return RunLeadImport(in, "k1", options, Users(), /*source_id=*/9, kNow, sink);
  }

  std::set<std::string> stored_ids_;
  std::vector<EventRecord> stored_;
};

TEST_F(ImportRunTest, EveryRowIsALeadOrARejectionWithItsLine) {
  ImportOptions options;
  options.batch_rows = 2;
  auto summary = Run(options);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->recognized_as, "HubSpot");
  EXPECT_EQ(summary->rows, 8);  // the broken record is a row, rejected
  EXPECT_EQ(summary->accepted, 3);
  EXPECT_EQ(summary->stored, 3);
  EXPECT_EQ(summary->repeated_addresses, 1);
  std::vector<int64_t> lines;
  for (const CsvProblem& p : summary->rejected) lines.push_back(p.line);
  EXPECT_EQ(lines, (std::vector<int64_t>{3, 4, 5, 6, 8}));
  EXPECT_NE(summary->rejected[1].message.find("nobody@example.com"), std::string::npos);
  EXPECT_NE(summary->rejected[2].message.find("names two users"), std::string::npos);
  EXPECT_NE(summary->rejected[3].message.find("not an active user"), std::string::npos);

  ASSERT_EQ(stored_.size(), 3u);
  EXPECT_EQ(stored_[0].message_id, "import:k1:2");
  EXPECT_EQ(stored_[0].source_id, 9);
  EXPECT_EQ(stored_[0].type, "identify");
  auto first = nlohmann::json::parse(stored_[0].payload);
  EXPECT_EQ(first["traits"]["email"], "jane@acme.test");
  EXPECT_EQ(first["traits"]["name"], "Jane Doe");
  EXPECT_EQ(first["traits"]["lead"], true);
  EXPECT_EQ(first["traits"]["company"]["name"], "Acme");
  auto provenance = first["context"]["tandem"]["import"];
  EXPECT_EQ(provenance["owner_id"], 3);  // matched by email, case aside
  EXPECT_EQ(provenance["address_source"], "import");
  EXPECT_EQ(provenance["line"], 2);
  auto again = nlohmann::json::parse(stored_[1].payload);
  EXPECT_EQ(again["traits"]["email"], "jane@acme.test");
  EXPECT_EQ(again["traits"]["company"]["name"], "Acme, Inc.");
  EXPECT_EQ(again["context"]["tandem"]["import"]["owner_id"], 3);  // by name
  EXPECT_EQ(again["context"]["tandem"]["import"]["email_opt_out"], true);
}

TEST_F(ImportRunTest, ASecondRunOfTheSameFileStoresNothingTwice) {
  ImportOptions options;
  ASSERT_TRUE(Run(options).ok());
  stored_ids_.erase("import:k1:9");  // as if the first run stopped before its last row
  stored_.clear();
  auto second = Run(options);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->accepted, 3);
  EXPECT_EQ(second->stored, 1);
  EXPECT_EQ(second->already_imported, 2);
  ASSERT_EQ(stored_.size(), 1u);
  EXPECT_EQ(stored_[0].message_id, "import:k1:9");
}

TEST_F(ImportRunTest, ADryRunChecksEveryRowAndStoresNone) {
  ImportOptions options;
  options.dry_run = true;
  auto summary = Run(options);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->accepted, 3);
  EXPECT_EQ(summary->rejected.size(), 5u);
  EXPECT_EQ(summary->stored, 0);
  EXPECT_TRUE(stored_.empty());
}

TEST_F(ImportRunTest, AFileWithoutAnEmailColumnStoresNothing) {
  std::istringstream in("Name,Company\nJane,Acme\n");
  bool called = false;
  ImportSink sink = [&](std::span<const EventRecord>) -> StatusOr<AppendResult> {
    called = true;
    return AppendResult{};
  };
  auto summary = RunLeadImport(in, "k2", {}, Users(), 9, kNow, sink);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), StatusCode::kUnprocessable);
  EXPECT_FALSE(called);
}

TEST(ImportFileKeyTest, TheKeyIsTheFilesBytes) {
  std::istringstream a("email\nx@y.test\n"), b("email\nx@y.test\n"), c("email\nx@z.test\n");
  auto ka = ImportFileKey(a), kb = ImportFileKey(b), kc = ImportFileKey(c);
  ASSERT_TRUE(ka.ok() && kb.ok() && kc.ok());
  EXPECT_EQ(ka->size(), 32u);
  EXPECT_EQ(*ka, *kb);
  EXPECT_NE(*ka, *kc);
}

}  // namespace
}  // namespace tandem
