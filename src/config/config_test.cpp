#include "config/config.h"

#include <gtest/gtest.h>

namespace tandem {
namespace {

TEST(ConfigTest, EmptyTextGivesDefaults) {
  auto config = ParseConfig("", "t.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.listen, "127.0.0.1:8080");
  EXPECT_EQ(config->storage.url, "sqlite:var/tandem.db");
  EXPECT_FALSE(config->server.trust_proxy);
}

TEST(ConfigTest, ReadsKnownKeys) {
  auto config = ParseConfig(R"(
[server]
listen = "0.0.0.0:9000"
trust_proxy = true
threads = 4
[storage]
url = "sqlite:/tmp/x.db"
[log]
format = "json"
)",
                            "t.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.listen, "0.0.0.0:9000");
  EXPECT_TRUE(config->server.trust_proxy);
  EXPECT_EQ(config->server.threads, 4);
  EXPECT_EQ(config->storage.url, "sqlite:/tmp/x.db");
  EXPECT_EQ(config->log.format, "json");
}

TEST(ConfigTest, UnknownKeyNamesFileLineAndKey) {
  auto config = ParseConfig("[server]\nlisten = \"a:1\"\ntrust_proxyy = true\n", "conf/t.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().error_code(), "config_unknown_key");
  EXPECT_NE(config.status().message().find("conf/t.toml:3"), std::string::npos)
      << config.status().message();
  EXPECT_NE(config.status().message().find("trust_proxyy"), std::string::npos);
}

TEST(ConfigTest, UnknownSectionIsAnError) {
  auto config = ParseConfig("\n[sever]\nlisten = \"x\"\n", "t.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("t.toml:2"), std::string::npos)
      << config.status().message();
}

TEST(ConfigTest, WrongTypeAndRangeAreErrors) {
  auto wrong_type = ParseConfig("[server]\ntrust_proxy = \"yes\"\n", "t.toml");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.status().message().find("server.trust_proxy must be true or false"),
            std::string::npos)
      << wrong_type.status().message();
  auto out_of_range = ParseConfig("[ingest]\nqueue_max_events = 3\n", "t.toml");
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_NE(out_of_range.status().message().find("t.toml:2"), std::string::npos);
  auto bad_enum = ParseConfig("[log]\nformat = \"xml\"\n", "t.toml");
  ASSERT_FALSE(bad_enum.ok());
  EXPECT_NE(bad_enum.status().message().find("text, json"), std::string::npos);
}

TEST(ConfigTest, SyntaxErrorNamesLine) {
  auto config = ParseConfig("[server]\nlisten = \n", "t.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().error_code(), "config_syntax");
  EXPECT_NE(config.status().message().find("t.toml:2"), std::string::npos)
      << config.status().message();
}

}  // namespace
}  // namespace tandem
