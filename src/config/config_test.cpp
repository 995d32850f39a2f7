#include "config/config.h"
#include "config/rules_text.h"
#include "leads/lead_engine.h"

#include <fmt/format.h>
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

TEST(ConfigTest, EventTimeWindowIsReadAndBounded) {
  auto config =
      ParseConfig("[ingest]\nevent_max_future_s = 60\nevent_max_age_days = 3650\n", "t.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->ingest.event_max_future_s, 60);
  EXPECT_EQ(config->ingest.event_max_age_days, 3650);
  auto negative = ParseConfig("[ingest]\n\nevent_max_future_s = -1\n", "t.toml");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("t.toml:3"), std::string::npos)
      << negative.status().message();
  EXPECT_FALSE(ParseConfig("[ingest]\nevent_max_age_days = 0\n", "t.toml").ok());
  auto example = LoadConfigFile(std::string(TANDEM_SOURCE_DIR) + "/tandem.example.toml");
  ASSERT_TRUE(example.ok()) << example.status().ToString();
  EXPECT_EQ(example->ingest.event_max_future_s, IngestConfig().event_max_future_s);
  EXPECT_EQ(example->ingest.event_max_age_days, IngestConfig().event_max_age_days);
}

TEST(ConfigTest, SequencesTakeAWindowAndASweep) {
  auto config = ParseConfig("[sequences]\nsend_window = \"08:30-18:00\"\nsweep_s = 30\n", "t.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->sequences.window.start_minute, 8 * 60 + 30);
  EXPECT_EQ(config->sequences.window.end_minute, 18 * 60);
  EXPECT_EQ(config->sequences.sweep_every, std::chrono::seconds(30));
  auto backwards = ParseConfig("[sequences]\nsend_window = \"18:00-08:00\"\n", "t.toml");
  ASSERT_FALSE(backwards.ok());
  EXPECT_NE(backwards.status().message().find("t.toml:2"), std::string::npos)
      << backwards.status().message();
  EXPECT_NE(backwards.status().message().find("09:00-17:00"), std::string::npos);
  EXPECT_FALSE(ParseConfig("[sequences]\nsweep_s = 0\n", "t.toml").ok());
  EXPECT_FALSE(ParseConfig("[sequences]\nwindow = 1\n", "t.toml").ok());
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

// The rules as text read back to the same rules: the defaults, and a policy with every
// kind of condition and characters that need escaping.
TEST(ConfigTest, RulesWrittenAsTomlReadBackTheSame) {
  auto config = ParseConfig(kPolicy, "t.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  config->scoring.fit.push_back(
      {"quoted \"name\" \\ with\ttab", config->scoring.fit[0].condition, -2.5});
  config->routing.rules[0].when.push_back(config->scoring.engagement[1].where[0]);
  for (const auto& [scoring, routing] : {std::pair{DefaultScoring(), RoutingConfig{}},
                                         std::pair{config->scoring, config->routing}}) {
    const std::string text = RulesToml(scoring, routing);
    auto back = ParseRules(text, "rules");
    ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << text;
    EXPECT_EQ(ScoringPolicyHash(back->scoring), ScoringPolicyHash(scoring)) << text;
    EXPECT_EQ(RulesToml(back->scoring, back->routing), text);
    ASSERT_EQ(back->routing.rules.size(), routing.rules.size());
    for (size_t i = 0; i < routing.rules.size(); ++i) {
      EXPECT_EQ(back->routing.rules[i].team, routing.rules[i].team);
      ASSERT_EQ(back->routing.rules[i].when.size(), routing.rules[i].when.size());
      for (size_t j = 0; j < routing.rules[i].when.size(); ++j) {
        EXPECT_EQ(back->routing.rules[i].when[j].Describe(), routing.rules[i].when[j].Describe());
      }
    }
    EXPECT_EQ(back->routing.account_match, routing.account_match);
    EXPECT_EQ(back->routing.fallback_team, routing.fallback_team);
  }
  // Only the rules belong in the text, and a mistake names its line.
  auto other = ParseRules("[server]\nlisten = \"x\"\n", "rules");
  EXPECT_NE(other.status().message().find("rules:1: [server] does not belong"), std::string::npos)
      << other.status().message();
  // A pattern that backtracks in exponential time is refused where it is written.
  for (const char* pattern : {"^(([a-z ]*)*)*!$", "(a+)+", "(\\\\w+\\\\s?)*x", "([a-z]+)*"}) {
    const std::string text = fmt::format(
        "[routing]\n[[routing.rules]]\nname = \"r\"\nteam = \"t\"\nwhen = [{{ trait = \"title\", "
        "matches = '{}' }}]\n",
        pattern);
    auto nested = ParseRules(text, "rules");
    EXPECT_NE(nested.status().message().find("repeats a group that itself repeats"),
              std::string::npos)
        << pattern << ": " << nested.status().ToString();
  }
  for (const char* pattern : {"\\b(chief|c[emot]o|vp)\\b", "(ab)+c", "a+b*", "[a-z]+(x|y)?"}) {
    const std::string text = fmt::format(
        "[routing]\n[[routing.rules]]\nname = \"r\"\nteam = \"t\"\nwhen = [{{ trait = \"title\", "
        "matches = '{}' }}]\n",
        pattern);
    EXPECT_TRUE(ParseRules(text, "rules").ok()) << pattern;
  }
  auto bad = ParseRules("[routing]\n\n[[routing.rules]]\nname = \"r\"\n", "rules");
  EXPECT_NE(bad.status().message().find("rules:3: routing rule \"r\" needs a team"),
            std::string::npos)
      << bad.status().message();
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
      // std::regex would overflow reading this back-reference.
      {"[scoring]\n[[scoring.fit]]\nname = \"x\"\ntrait = \"title\"\nmatches = "
       "\"\\\\7777777777777777777b\"\npoints = 1\n",
       "t.toml:5: scoring.fit.matches: a number of 19 digits"},
      // std::regex compiles recursively: deep nesting would exhaust the stack.
      {"[scoring]\n[[scoring.fit]]\nname = \"x\"\ntrait = \"title\"\nmatches = \"((((((((((((((("
       "((((a))))))))))))))))))\"\npoints = 1\n",
       "t.toml:5: scoring.fit.matches: the regular expression is too long or too deeply nested"},
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
      {"[contact]\noverridable = [\"unsubscribed\"]\n",
       "t.toml:2: contact.overridable: \"unsubscribed\" cannot be overridden"},
      {"[contact]\n[contact.hours]\ncall = \"20:00-08:00\"\n", "t.toml:3: contact.hours.call"},
      {"[contact]\n[contact.hours]\nfax = \"08:00-20:00\"\n", "\"fax\" is not a channel"},
      {"[contact]\n[contact.consent]\nsales_outreach = \"maybe\"\n",
       "must be \"inbound\" or \"consent\""},
      {"[contact]\noverride_roles = [\"boss\"]\n", "items must be roles"},
      {"[sla]\nhot = \"15 minutes\"\n", "t.toml:2: sla.hot must be a duration"},
      {"[sla]\non_breach = \"panic\"\n", "must be one of reassign, notify"},
      {"[sla]\nbusiness_days = [\"funday\"]\n", "t.toml:2: sla.business_days items"},
      {"[sla]\nwarning_at = 1.5\n", "sla.warning_at must be between"},
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
  const ContactConfig defaults;
  EXPECT_EQ(example->contact.hours, defaults.hours);
  EXPECT_EQ(example->contact.consent, defaults.consent);
  EXPECT_EQ(example->contact.overridable, defaults.overridable);
  EXPECT_EQ(example->contact.channel_caps.at(Channel::kCall).max, 1);
  EXPECT_EQ(example->contact.cooldown_hours, defaults.cooldown_hours);
  EXPECT_EQ(example->sla.hot.minutes, 15);
  EXPECT_EQ(example->sla.mql.days, 1);
  EXPECT_EQ(example->sla.other.days, 2);
  EXPECT_EQ(example->sla.business_days, SlaConfig().business_days);
  EXPECT_EQ(example->sla.on_breach, "reassign");
  EXPECT_EQ(example->auth.session_hours, AuthConfig().session_hours);
  EXPECT_EQ(example->auth.max_failed_logins, AuthConfig().max_failed_logins);
  EXPECT_EQ(example->auth.lockout_minutes, AuthConfig().lockout_minutes);
  EXPECT_EQ(example->limits.api_per_client_per_minute, LimitsConfig().api_per_client_per_minute);
  EXPECT_EQ(example->limits.api_per_token_burst, LimitsConfig().api_per_token_burst);
  EXPECT_EQ(example->limits.signin_per_client_burst, LimitsConfig().signin_per_client_burst);
  EXPECT_EQ(example->limits.password_queue, LimitsConfig().password_queue);
  EXPECT_EQ(example->limits.signin_refusal_delay_ms, LimitsConfig().signin_refusal_delay_ms);
  EXPECT_EQ(example->tracking.respect_dnt, TrackingConfig().respect_dnt);
}

TEST(ConfigTest, ReadsAndChecksTheLimits) {
  auto config = ParseConfig(
      "[limits]\napi_per_client_per_minute = 0\napi_per_token_burst = 20\n"
      "signin_per_client_per_minute = 3\npassword_threads = 2\npassword_queue = 4\n",
      "t.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->limits.api_per_client_per_minute, 0);  // no limit
  EXPECT_EQ(config->limits.api_per_token_burst, 20);
  EXPECT_EQ(config->limits.signin_per_client_per_minute, 3);
  EXPECT_EQ(config->limits.password_threads, 2);
  EXPECT_EQ(config->limits.password_queue, 4);
  for (const char* bad :
       {"[limits]\n\npassword_threads = 0\n", "[limits]\n\nsignin_per_minute = 3\n",
        "[limits]\n\nsignin_per_client_burst = 0\n"}) {
    auto refused = ParseConfig(bad, "t.toml");
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.status().message().find("t.toml:3"), std::string::npos)
        << refused.status().message();
  }
}

TEST(ConfigTest, ReadsContactAndSla) {
  auto config = ParseConfig(R"(
[contact]
max_touches = 5
allow_unknown_timezone = true
[contact.hours]
call = "09:00-18:00"
[contact.channel_caps]
email = { max = 2, days = 3 }
[sla]
hot = "2h"
mql = "0.5d"
on_breach = "notify"
business_days = ["sun", "mon"]
)",
                            "t.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->contact.overall.max, 5);
  EXPECT_TRUE(config->contact.allow_unknown_timezone);
  EXPECT_EQ(config->contact.hours.size(), 1u);  // sms no longer has quiet hours
  EXPECT_EQ(config->contact.hours.at(Channel::kCall), std::make_pair(9 * 60, 18 * 60));
  EXPECT_EQ(config->contact.channel_caps.count(Channel::kCall), 0u);
  EXPECT_EQ(config->contact.channel_caps.at(Channel::kEmail).days, 3);
  EXPECT_EQ(config->sla.hot.minutes, 120);
  EXPECT_EQ(config->sla.mql.days, 0.5);
  EXPECT_EQ(config->sla.on_breach, "notify");
  EXPECT_TRUE(config->sla.business_days[0]);
  EXPECT_FALSE(config->sla.business_days[2]);
}

TEST(ConfigTest, ReadsTheCatalogAndNamesTheLineOfABadEntry) {
  auto config = ParseConfig(R"(
[[catalog.campaigns]]
name = "Spring"
utm_campaign = "spring-26"
offer = "The guide"
starts_on = 2026-03-01

[[catalog.content]]
asset_id = "guide"
title = "The Guide"
topic = "search"
problem = "Budgets leak."
questions = ["How?", "Why?"]
)",
                            "t.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->catalog.campaigns.size(), 1u);
  EXPECT_EQ(config->catalog.campaigns[0].key, "spring-26");
  EXPECT_EQ(config->catalog.campaigns[0].starts_on, "2026-03-01");  // a TOML date
  EXPECT_EQ(config->catalog.campaigns[0].origin, "config");
  EXPECT_EQ(config->catalog.content[0].questions.size(), 2u);

  auto bad =
      ParseConfig("[server]\nthreads = 2\n\n[[catalog.content]]\nasset_id = \"g\"\n", "t.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("t.toml:4: content: title is required"), std::string::npos)
      << bad.status().message();
  auto unknown = ParseConfig("[catalog]\nassets = []\n", "t.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("t.toml:2: unknown catalog key \"assets\""),
            std::string::npos)
      << unknown.status().message();
}

}  // namespace
}  // namespace tandem
