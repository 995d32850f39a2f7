#include "http/list_cursor.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tandem::http {
namespace {

TEST(ListCursorTest, DecodesWhatItEncodes) {
  LeadQuery::After after;
  after.is_null = true;
  after.key = 42.500000000000007;
  after.id = 17;
  const TimePoint at = FromUnixMillis(1795345200123);
  auto decoded = DecodeLeadCursor("score", EncodeLeadCursor("score", after, at));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_TRUE(decoded->first.is_null);
  EXPECT_EQ(decoded->first.key, after.key);
  EXPECT_EQ(decoded->first.id, 17);
  EXPECT_EQ(decoded->second, at);
}

TEST(ListCursorTest, RefusesWhatNoListHandedOut) {
  for (const char* text :
       {"", "zzz", "created~0~1~2", "created~0~1~2~3~4", "score~0~1~2~3", "created~2~1~2~3",
        "created~0~nan~2~3", "created~0~inf~2~3", "created~0~-inf~2~3", "created~0~1e999~2~3",
        "created~0~1x~2~3", "created~0~ 1~2~3", "created~0~1~2.5~3", "created~0~1~2~3 ",
        "created~0~1~99999999999999999999~3"}) {
    auto decoded = DecodeLeadCursor("created", text);
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.status().error_code(), "invalid_cursor") << text;
  }
}

}  // namespace
}  // namespace tandem::http
