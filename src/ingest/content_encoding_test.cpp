#include "ingest/content_encoding.h"

#include <gtest/gtest.h>

#include "testing/test_bodies.h"

namespace tandem {
namespace {

using testing::Gzip;

TEST(DecodeBodyTest, PlainBodyPassesWithinLimit) {
  auto body = DecodeBody("", "{}", 10);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, "{}");
  EXPECT_EQ(DecodeBody("identity", std::string(11, 'x'), 10).status().code(),
            StatusCode::kTooLarge);
}

TEST(DecodeBodyTest, GzipRoundTrips) {
  std::string original = R"({"batch":[)" + std::string(10000, ' ') + "]}";
  auto body = DecodeBody("gzip", Gzip(original), 1 << 20);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(*body, original);
}

TEST(DecodeBodyTest, DecompressionBombStopsAtTheLimit) {
  std::string bomb = Gzip(std::string(50 * 1024 * 1024, 'a'));
  EXPECT_LT(bomb.size(), 100u * 1024);
  auto body = DecodeBody("gzip", bomb, 500 * 1024);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), StatusCode::kTooLarge);
}

TEST(DecodeBodyTest, CorruptOrTruncatedIsInvalid) {
  std::string good = Gzip("hello world, hello world");
  EXPECT_EQ(DecodeBody("gzip", "not gzip at all", 1000).status().error_code(), "invalid_encoding");
  EXPECT_EQ(DecodeBody("gzip", good.substr(0, good.size() / 2), 1000).status().error_code(),
            "invalid_encoding");
}

TEST(DecodeBodyTest, UnknownEncodingIsRefused) {
  EXPECT_EQ(DecodeBody("br", "x", 100).status().error_code(), "unsupported_encoding");
}

}  // namespace
}  // namespace tandem
