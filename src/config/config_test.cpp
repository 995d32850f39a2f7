#include "config/config.h"
#include "leads/lead_engine.h"

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

constexpr const char* kPolicy = R"(
[scoring]
half_life_days = 14
mql_fit = 10
mql_engagement = 20
hand_raise_events = ["Demo Requested"]

[[scoring.fit]]
name = "senior"
trait = "title"
matches = "director|vp"
points = 15

[[scoring.engagement]]
name = "pricing"
type = "page"
path = "/pricing*"
points = 10
cap_per_day = 20

[[scoring.engagement]]
name = "enterprise plan"
event = "Plan Viewed"
where = [{ field = "properties.plan", equals = "enterprise" }]
points = 5

[routing]
account_match = false
fallback_team = "sales"

[[routing.rules]]
name = "big"
team = "enterprise"
when = [{ trait = "company.size", gte = 1000 }]

[[webhooks]]
url = "http://127.0.0.1:9000/tandem"
secret = "0123456789abcdef0123"
events = ["lead.assigned"]
)";

TEST(ConfigTest, ReadsThePolicySections) {
  auto config = ParseConfig(kPolicy, "t.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->scoring.half_life_days, 14);
  ASSERT_EQ(config->scoring.fit.size(), 1u);  // replaces the defaults
  EXPECT_EQ(config->scoring.fit[0].condition.Describe(), "title matches \"director|vp\"");
  ASSERT_EQ(config->scoring.engagement.size(), 2u);
  EXPECT_EQ(config->scoring.engagement[1].where[0].Describe(), "properties.plan = \"enterprise\"");
  EXPECT_FALSE(config->routing.account_match);
  ASSERT_EQ(config->routing.rules.size(), 1u);
  EXPECT_EQ(config->routing.rules[0].line, 31);
  ASSERT_EQ(config->webhooks.size(), 1u);
  EXPECT_EQ(config->webhooks[0].events, std::vector<std::string>{"lead.assigned"});
  EXPECT_TRUE(CheckConfigTeams(*config, {"enterprise", "sales"}).ok());
  Status unknown = CheckConfigTeams(*config, {"sales"});
  EXPECT_EQ(unknown.error_code(), "config_unknown_team");
  EXPECT_NE(
      unknown.message().find("t.toml:31: routing rule \"big\" names unknown team \"enterprise\""),
      std::string::npos)
      << unknown.message();
}

TEST(ConfigTest, PolicyMistakesNameTheLine) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"[scoring]\nhalf_lfe_days = 3\n", "t.toml:2: unknown key \"half_lfe_days\" in [scoring]"},
      {"[scoring]\n[[scoring.fit]]\nname = \"x\"\ntrait = \"title\"\nmatches = \"(vp\"\npoints = "
       "1\n",
       "t.toml:5: scoring.fit.matches is not a valid regular expression"},
      {"[scoring]\n[[scoring.fit]]\nname = \"x\"\ntrait = \"title\"\npoints = 1\n",
       "needs exactly one of equals, in, matches, gte, lte, exists"},
      {"[scoring]\n[[scoring.fit]]\nname = \"x\"\ntrait = \"t\"\nexists = true\npoints = 1\n"
       "[[scoring.fit]]\nname = \"x\"\ntrait = \"t\"\nexists = true\npoints = 1\n",
       "t.toml:7: [[scoring.fit]] name \"x\" is used twice"},
      {"[scoring]\n[[scoring.engagement]]\nname = \"all\"\npoints = 1\n", "matches every event"},
      {"[scoring]\nmql_fit = 10\nmql_engagement = 20\nhot_total = 25\n",
       "t.toml:4: scoring.hot_total 25 overlaps the MQL thresholds"},
      {"[routing]\n[[routing.rules]]\nname = \"r\"\n", "t.toml:2: routing rule \"r\" needs a team"},
      {"[[webhooks]]\nurl = \"ftp://x\"\nsecret = \"0123456789abcdef\"\n",
       "must start with http://"},
      {"[[webhooks]]\nurl = \"http://x\"\nsecret = \"short\"\n", "at least 16 characters"},
      {"[[webhooks]]\nurl = \"http://x\"\nsecret = \"0123456789abcdef\"\nevents = "
       "[\"lead.eaten\"]\n",
       "unknown event \"lead.eaten\""},
  };
  for (const Case& c : cases) {
    auto config = ParseConfig(c.text, "t.toml");
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_NE(config.status().message().find(c.expected), std::string::npos)
        << "got: " << config.status().message() << "\nwanted: " << c.expected;
  }
}

TEST(ConfigTest, ExampleFileSpellsOutTheDefaults) {
  auto example = LoadConfigFile(std::string(TANDEM_SOURCE_DIR) + "/tandem.example.toml");
  ASSERT_TRUE(example.ok()) << example.status().ToString();
  EXPECT_EQ(ScoringPolicyHash(example->scoring), ScoringPolicyHash(DefaultScoring()));
}

}  // namespace
}  // namespace tandem
