#include "core/time_format.h"

#include <gtest/gtest.h>

namespace tandem {
namespace {

int64_t Ms(std::string_view text) {
  auto t = ParseIsoTime(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t ? ToUnixMillis(*t) : -1;
}

TEST(TimeFormatTest, ParsesTheFormsClientsSend) {
  EXPECT_EQ(Ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Ms("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(Ms("1970-01-01T00:00:01.123456Z"), 1123);
  EXPECT_EQ(Ms("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(Ms("1970-01-01T01:00:00+0100"), 0);
  EXPECT_EQ(Ms("1969-12-31T23:00:00-01:00"), 0);
  EXPECT_EQ(Ms("1970-01-01T00:00:00"), 0);
  EXPECT_EQ(Ms("1970-01-02"), 86400000);
  EXPECT_EQ(Ms("2026-11-22T05:27:24.123Z"), 1795325244123);
}

TEST(TimeFormatTest, RejectsNonsense) {
  for (std::string_view bad :
       {"", "yesterday", "2026-13-01T00:00:00Z", "2026-02-30", "2026-11-22T25:00:00Z",
        "2026-11-22T10:00:00.Z", "2026-11-22T10:00:00Zjunk", "2026-11-22T10:00:00+5"}) {
    EXPECT_FALSE(ParseIsoTime(bad).has_value()) << bad;
  }
}

TEST(TimeFormatTest, FormatsRoundTrip) {
  auto t = FromUnixMillis(1795325244123);
  EXPECT_EQ(FormatIsoTime(t), "2026-11-22T05:27:24.123Z");
  EXPECT_EQ(ParseIsoTime(FormatIsoTime(t)), t);
  EXPECT_EQ(FormatIsoTime(FromUnixMillis(-1)), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace tandem
