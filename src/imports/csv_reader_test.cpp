// CSV files as spreadsheets and CRMs write them: quoted fields with commas, doubled quotes
// and newlines; CRLF; a byte-order mark; Windows-1252 converted; broken quoting reported
// with its line while the rows after it are read; bytes of no known encoding refused.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <sstream>

#include "imports/csv_reader.h"

namespace tandem {
namespace {

struct Read {
  CsvFileFacts facts;
  std::vector<CsvRecord> records;
  std::vector<CsvProblem> problems;
};

Read ReadText(const std::string& text) {
  std::istringstream in(text);
  Read out;
  auto facts = ReadCsv(
      in,
      [&](CsvRecord&& r) {
        out.records.push_back(std::move(r));
        return OkStatus();
      },
      [&](CsvProblem&& p) { out.problems.push_back(std::move(p)); });
  EXPECT_TRUE(facts.ok()) << facts.status().ToString();
  if (facts.ok()) out.facts = *facts;
  return out;
}

TEST(CsvReaderTest, QuotedFieldsKeepCommasQuotesAndNewlinesAndEachRecordItsLine) {
  const Read r = ReadText(
      "Email,Notes\r\n"
      "ana@a.example,\"Met at the fair, booth 4\"\r\n"
      "\r\n"
      "bo@b.example,\"Said \"\"call me\"\"\nafter the 15th\"\r\n"
      "cy@c.example,\n");
  ASSERT_EQ(r.records.size(), 4u);
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(r.records[1].line, 2);
  EXPECT_EQ(r.records[1].fields[1], "Met at the fair, booth 4");
  EXPECT_EQ(r.records[2].line, 4);
  EXPECT_EQ(r.records[2].fields[1], "Said \"call me\"\nafter the 15th");
  EXPECT_EQ(r.records[3].line, 6);
  EXPECT_EQ(r.records[3].fields, (std::vector<std::string>{"cy@c.example", ""}));
  EXPECT_EQ(r.facts.lines, 6);
  EXPECT_EQ(r.facts.encoding, TextEncoding::kUtf8);
}

TEST(CsvReaderTest, BrokenQuotingIsReportedByLineAndTheRestIsRead) {
  const Read r = ReadText(
      "Email,Name\n"
      "ana@a.example,Ana \"The Boss\" Diaz\n"
      "bo@b.example,\"Bo\"x\n"
      "cy@c.example,Cy\n"
      "di@d.example,\"Di never closes\n"
      "ed@e.example,Ed\n");
  ASSERT_EQ(r.problems.size(), 3u);
  EXPECT_EQ(r.problems[0].line, 2);
  EXPECT_NE(r.problems[0].message.find("line 2: broken quoting"), std::string::npos);
  EXPECT_EQ(r.problems[1].line, 3);
  EXPECT_EQ(r.problems[2].line, 5);
  EXPECT_NE(r.problems[2].message.find("lines 5-6: a quoted field is never closed"),
            std::string::npos)
      << r.problems[2].message;
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[1].line, 4);
  EXPECT_EQ(r.records[1].fields[0], "cy@c.example");
}

TEST(CsvReaderTest, ABomIsDroppedAndWindows1252IsConverted) {
  const Read bom = ReadText(
      "\xEF\xBB\xBF"
      "Email,Name\nz@z.example,Zo\xC3\xAB\n");
  EXPECT_TRUE(bom.facts.bom);
  EXPECT_EQ(bom.records[0].fields[0], "Email");
  EXPECT_EQ(bom.records[1].fields[1], "Zo\xC3\xAB");
  // Excel's "CSV" on Windows: é, €, an opening and a closing curly quote in Windows-1252.
  const Read legacy = ReadText("Email,Name\nr@r.example,Ren\xE9 \x80 \x93 \x92s\n");
  EXPECT_EQ(legacy.facts.encoding, TextEncoding::kWindows1252);
  EXPECT_EQ(legacy.records[1].fields[1], "Ren\xC3\xA9 \xE2\x82\xAC \xE2\x80\x9C \xE2\x80\x99s");
}

TEST(CsvReaderTest, BytesOfNoKnownEncodingAreRefusedWithTheirLine) {
  std::istringstream in("Email\na@a.example\nb\x81@b.example\n");
  auto facts = ReadCsv(
      in, [](CsvRecord&&) { return OkStatus(); }, [](CsvProblem&&) {});
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.status().error_code(), "unknown_encoding");
  EXPECT_NE(facts.status().message().find("line 3: byte 0x81"), std::string::npos)
      << facts.status().message();
}

TEST(CsvReaderTest, Utf8ChecksRejectOverlongsSurrogatesAndCutSequences) {
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  size_t bad = 0;
  EXPECT_FALSE(IsValidUtf8("ab\xC0\xAF", &bad));  // an overlong '/'
  EXPECT_EQ(bad, 2u);
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // cut
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
}

TEST(CsvReaderTest, LoneCrLinesBlankLinesAndBadBytesInsideARecordKeepTheirLines) {
  const Read mac = ReadText("Email,Name\ra@a.example,Ann\r   \rb@b.example,\"Bo\rBee\"\r");
  ASSERT_EQ(mac.records.size(), 3u);
  EXPECT_EQ(mac.records[1].line, 2);
  EXPECT_EQ(mac.records[2].line, 4);
  EXPECT_EQ(mac.records[2].fields[1], "Bo\rBee");
  // Past a UTF-8 sample, a line that is not UTF-8 inside a quoted field breaks that whole
  // record, and only it.
  std::string text = "Email,Note\n";
  for (int i = 0; i < 3000; ++i) text += "p@p.example,Zo\xC3\xAB and some words to fill it\n";
  const int64_t after = 3001;
  text += "c@c.example,\"one\n\xC3\x28 two\"\nd@d.example,ok\n";
  const Read bad = ReadText(text);
  EXPECT_EQ(bad.facts.encoding, TextEncoding::kUtf8);
  ASSERT_EQ(bad.problems.size(), 1u);
  EXPECT_NE(bad.problems[0].message.find(
                fmt::format("lines {}-{}: not valid UTF-8", after + 1, after + 2)),
            std::string::npos)
      << bad.problems[0].message;
  EXPECT_EQ(bad.records.back().line, after + 3);
}

TEST(CsvReaderTest, AWindows1252AccentAtTheSampleEndIsNotTakenForACutSequence) {
  std::string text = "Email,Name\n";
  text += std::string(64 * 1024 + 3 - text.size() - 2, 'a') + "\xE9" + "x\nz@z.example,Ren\xE9\n";
  const Read r = ReadText(text);
  EXPECT_EQ(r.facts.encoding, TextEncoding::kWindows1252);
  EXPECT_TRUE(r.problems.empty());
  // A UTF-8 "é" cut by the sample's end is UTF-8.
  std::string utf8 = "Email,Name\n";
  utf8 +=
      std::string(64 * 1024 + 3 - utf8.size() - 1, 'a') + "\xC3" + "\xA9\nz@z.example,Zo\xC3\xAB\n";
  EXPECT_EQ(ReadText(utf8).facts.encoding, TextEncoding::kUtf8);
}

TEST(CsvReaderTest, ALineOverTheLimitIsReportedAndSkipped) {
  std::string text = "Email\n" + std::string(kMaxCsvLine + 10, 'x') + "\na@a.example\n";
  const Read r = ReadText(text);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].line, 2);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[1].line, 3);
  EXPECT_EQ(r.records[1].fields[0], "a@a.example");
}

TEST(CsvReaderTest, ARecordsErrorStopsTheReading) {
  std::istringstream in("Email\na@a.example\nb@b.example\n");
  int seen = 0;
  auto facts = ReadCsv(
      in, [&](CsvRecord&&) { return ++seen == 2 ? Unavailable("store_down", "down") : OkStatus(); },
      [](CsvProblem&&) {});
  EXPECT_FALSE(facts.ok());
  EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace tandem
