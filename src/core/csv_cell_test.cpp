#include "core/csv_cell.h"

#include <gtest/gtest.h>

namespace tandem {
namespace {

TEST(CsvCell, PlainTextStaysAsItIs) {
  EXPECT_EQ(CsvCell("Acme GmbH"), "Acme GmbH");
  EXPECT_EQ(CsvCell(""), "");
  EXPECT_EQ(CsvCell("a-b+c=d@e"), "a-b+c=d@e");  // only a leading sign starts a formula
}

TEST(CsvCell, QuotesCommasQuotesAndLineBreaks) {
  EXPECT_EQ(CsvCell("Doe, Jo"), "\"Doe, Jo\"");
  EXPECT_EQ(CsvCell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvCell("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvCell("cr\rhere"), "\"cr\rhere\"");
}

TEST(CsvCell, AFormulaIsShownNotRun) {
  for (const char* formula : {"=1+1", "+1", "-1", "@SUM(A1)", "\tx"}) {
    EXPECT_EQ(CsvCell(formula), std::string("'") + formula) << formula;
  }
  EXPECT_EQ(CsvCell("\rx"), "\"'\rx\"");
  EXPECT_EQ(CsvCell("=HYPERLINK(\"a\",\"b\")"), "\"'=HYPERLINK(\"\"a\"\",\"\"b\"\")\"");
}

TEST(CsvRecordsStartingWith, KeepsWholeRecordsWithQuotedLineBreaks) {
  const std::string csv =
      "scope,group,n\r\n"
      "total,,3\r\n"
      "group,\"two\r\nlines, and \"\"group,\"\"\",1\r\n"
      "group,plain,2\r\n"
      "grouped,x,1\r\n";
  EXPECT_EQ(CsvRecordsStartingWith(csv, "group"),
            "group,\"two\r\nlines, and \"\"group,\"\"\",1\r\ngroup,plain,2\r\n");
  EXPECT_EQ(CsvRecordsStartingWith(csv, "total"), "total,,3\r\n");
  EXPECT_EQ(CsvRecordsStartingWith(csv, "none"), "");
}

}  // namespace
}  // namespace tandem
