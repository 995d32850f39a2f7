// The brief builder and the catalogs as pure functions: which content a lead's talking
// points come from, what they leave out, and how catalog files are read and refused.
#include "brief/brief.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "brief/brief_moments.h"
#include "catalog/catalog.h"
#include "core/time_format.h"

namespace tandem {
namespace {

using nlohmann::json;

TimePoint T(const char* text) { return *ParseIsoTime(text); }

ContentAsset Asset(std::string id, std::string title, std::string pattern, std::string topic,
                   std::string problem, std::vector<std::string> questions) {
  ContentAsset a;
  a.asset_id = std::move(id);
  a.title = std::move(title);
  a.url_pattern = std::move(pattern);
  a.topic = std::move(topic);
  a.problem = std::move(problem);
  a.questions = std::move(questions);
  return a;
}

// Text views string literals; BriefEvents copies it.
BriefEvent Event(int64_t id, const char* at, std::string_view type, std::string_view name,
                 std::string_view path = "", std::string_view asset_id = "") {
  BriefEvent e;
  e.id = id;
  e.at = T(at);
  e.type = type;
  e.name = name;
  e.path = path;
  e.asset_id = asset_id;
  e.known = true;
  return e;
}

BriefInput TwoAssetInput() {
  BriefInput in;
  in.lead.id = 7;
  in.lead.email = "jo@buyer.example";
  in.lead.name = "Jo Park";
  in.lead.title = "Demand Generation Manager";
  in.lead.company_name = "Buyer Co";
  in.now = T("2026-11-20T12:00:00Z");
  in.catalog.content = {
      Asset("x-guide", "The X Guide", "/resources/x*", "topic x", "Problem X hurts.",
            {"Question X one?", "Question X two?"}),
      Asset("y-guide", "The Y Guide", "/resources/y*", "topic y", "Problem Y hurts.",
            {"Question Y one?", "Question Y two?"}),
  };
  return in;
}

TEST(BriefTest, TalkingPointsComeOnlyFromContentTheLeadEngagedWith) {
  BriefInput in = TwoAssetInput();
  in.events = {Event(1, "2026-11-19T10:00:00Z", "track", "Content Downloaded", "/home", "x-guide")};
  json brief = BuildBrief(in);
  const json& points = brief["talking_points"]["points"];
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0]["asset_id"], "x-guide");
  EXPECT_EQ(points[0]["questions"], json({"Question X one?", "Question X two?"}));
  const std::string all = brief.dump();
  EXPECT_EQ(all.find("Question Y"), std::string::npos);
  EXPECT_EQ(all.find("Problem Y"), std::string::npos);
  EXPECT_EQ(all.find("y-guide"), std::string::npos);
  EXPECT_EQ(brief["journey"]["topics"], json::parse(R"([{"topic":"topic x","weight":3}])"));
}

TEST(BriefTest, StrongerEngagementRanksFirstAndPageViewsCount) {
  BriefInput in = TwoAssetInput();
  in.events = {Event(1, "2026-11-18T10:00:00Z", "page", "", "/resources/y-guide"),
               Event(2, "2026-11-19T10:00:00Z", "track", "Content Downloaded", "", "x-guide")};
  json points = BuildBrief(in)["talking_points"]["points"];
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0]["asset_id"], "x-guide");  // a download outweighs a page view
  EXPECT_EQ(points[1]["asset_id"], "y-guide");
}

TEST(BriefTest, CatalogTextThatBreaksTheDontListIsLeftOutAndNamed) {
  BriefInput in = TwoAssetInput();
  in.catalog.content[0].questions = {"I see you were on our website, any questions?",
                                     "What does your team do today?",
                                     "Thanks for your interest in Acme, when can we talk?"};
  in.events = {Event(1, "2026-11-19T10:00:00Z", "track", "Content Downloaded", "", "x-guide")};
  json brief = BuildBrief(in);
  const json& point = brief["talking_points"]["points"][0];
  EXPECT_EQ(point["questions"], json({"What does your team do today?"}));
  ASSERT_EQ(brief["talking_points"]["left_out"].size(), 2u);
  EXPECT_EQ(brief["talking_points"]["left_out"][0]["because"], "website");
  EXPECT_EQ(brief["talking_points"]["dont"].size(), 3u);
  EXPECT_NE(point["angle"].get<std::string>().find("Demand Generation Manager at Buyer Co"),
            std::string::npos);
}

TEST(BriefTest, RenderedFormsCarryEverySectionAndEscapeHtml) {
  BriefInput in = TwoAssetInput();
  in.lead.name = "Jo <script>alert(1)</script>";
  in.events = {Event(1, "2026-11-19T10:00:00Z", "track", "Content Downloaded", "", "x-guide")};
  json brief = BuildBrief(in);
  std::string md = RenderBriefMarkdown(brief);
  std::string html = RenderBriefHtml(brief);
  for (const char* title : {"Why now", "Who", "Can I contact them", "Journey", "Campaign",
                            "Talking points", "Don't", "Score", "History", "Next step"}) {
    EXPECT_NE(md.find(std::string("## ") + title), std::string::npos) << title;
    std::string escaped = title;
    if (escaped == "Don't") escaped = "Don&#39;t";
    EXPECT_NE(html.find(">" + escaped + "</h2>"), std::string::npos) << title;
  }
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
}

TEST(BriefTest, AHandRaiseAfterQualifyingByScoreIsTheReasonNow) {
  BriefInput in = TwoAssetInput();
  in.events = {Event(1, "2026-11-19T10:00:00Z", "track", "Content Downloaded", "", "x-guide"),
               Event(2, "2026-11-20T11:48:00Z", "track", "Demo Requested", "/pricing")};
  LeadLogEntry qualified;
  qualified.kind = "stage_changed";
  qualified.at = T("2026-11-19T10:00:01Z");
  qualified.data =
      R"({"from":"lead","to":"mql","cause":"score: fit 30 >= 15 and engagement 26 >= 25"})";
  LeadLogEntry raised;
  raised.kind = "priority_changed";
  raised.at = T("2026-11-20T11:48:01Z");
  raised.data = R"j({"from":"mql","to":"hot","cause":"hand-raise: Demo Requested (event 2)"})j";
  in.log = {qualified, raised};
  in.hand_raise_events = {"Demo Requested"};
  json why = BuildBrief(in)["why_now"];
  EXPECT_EQ(why["trigger"], "hand_raise");
  EXPECT_EQ(why["event_id"], 2);
  EXPECT_EQ(why["text"],
            "Requested a demo from /pricing 12 minutes ago. Already a marketing-qualified lead "
            "by score since 2026-11-19 10:00 UTC.");
}

TEST(BriefTest, AgoSpeaksLikeAPerson) {
  const TimePoint now = T("2026-11-20T12:00:00Z");
  EXPECT_EQ(brief::Ago(now, T("2026-11-20T11:59:40Z")), "just now");
  EXPECT_EQ(brief::Ago(now, T("2026-11-20T11:48:00Z")), "12 minutes ago");
  EXPECT_EQ(brief::Ago(now, T("2026-11-20T11:00:00Z")), "1 hour ago");
  EXPECT_EQ(brief::Ago(now, T("2026-11-19T08:00:00Z")), "yesterday");
  EXPECT_EQ(brief::Ago(now, T("2026-11-16T12:00:00Z")), "4 days ago");
  EXPECT_EQ(brief::Ago(now, T("2026-10-02T12:00:00Z")), "on 2026-10-02");
  EXPECT_EQ(brief::Ago(now, T("2026-11-20T12:15:00Z")), "in 15 minutes");
}

TEST(CatalogTest, MatchesByAssetIdTitleAndPathPattern) {
  Catalog c;
  c.content = {Asset("g", "The Guide", "/resources/guide*", "t", "p", {"a?", "b?"})};
  c.campaigns.push_back(Campaign{"k", "Name", "Spring-Promo"});
  EXPECT_NE(c.MatchContent("G", "", ""), nullptr);
  EXPECT_NE(c.MatchContent("", "the guide", ""), nullptr);
  EXPECT_NE(c.MatchContent("", "", "/resources/guide-2026"), nullptr);
  EXPECT_EQ(c.MatchContent("other", "Other", "/blog"), nullptr);
  EXPECT_NE(c.FindCampaign("spring-promo"), nullptr);
  EXPECT_EQ(c.FindCampaign(""), nullptr);
}

TEST(CatalogTest, TomlEntriesAreValidatedWithTheirLine) {
  auto ok = ParseCatalogToml(R"(
[[campaigns]]
name = "Spring"
utm_campaign = "spring"
offer = "A guide"

[[content]]
asset_id = "g"
title = "Guide"
topic = "t"
problem = "p"
questions = ["a?", "b?"]
)",
                             "c.toml");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->campaigns[0].key, "spring");  // the key defaults to utm_campaign
  auto bad = ParseCatalogToml(
      "[[content]]\nasset_id = \"g\"\ntitle = \"G\"\ntopic = \"t\"\n"
      "problem = \"p\"\nquestions = [\"only one?\"]\n",
      "c.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("c.toml:1:"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("2 to 4"), std::string::npos);
  auto typo = ParseCatalogToml("[[campaigns]]\nname = \"S\"\nutm_campaign = \"s\"\nofer = \"x\"\n",
                               "c.toml");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("unknown field \"ofer\""), std::string::npos);
  auto stage = ParseCatalogToml(
      "[[content]]\nasset_id=\"g\"\ntitle=\"G\"\ntopic=\"t\"\nproblem=\"p\"\nfunnel_stage="
      "\"late\"\n"
      "questions=[\"a?\",\"b?\"]\n",
      "c.toml");
  ASSERT_FALSE(stage.ok());
  EXPECT_NE(stage.status().message().find("awareness, consideration, decision"), std::string::npos);
}

TEST(CatalogTest, CsvKnowsItsKindByTheHeaderAndNamesBadLines) {
  auto content = ParseCatalogCsv(
      "asset_id,title,url_pattern,topic,funnel_stage,problem,questions\n"
      "g,\"The Guide, 2nd ed.\",/resources/g*,search,awareness,\"Budgets \"\"leak\"\"\",How? | "
      "Why?\n",
      "c.csv");
  ASSERT_TRUE(content.ok()) << content.status().ToString();
  EXPECT_EQ(content->content[0].title, "The Guide, 2nd ed.");
  EXPECT_EQ(content->content[0].problem, "Budgets \"leak\"");
  EXPECT_EQ(content->content[0].questions, (std::vector<std::string>{"How?", "Why?"}));
  auto campaigns = ParseCatalogCsv(
      "key,name,utm_campaign,persona\na,A,spring,CMOs\nb,B,spring,"
      "CFOs\n",
      "c.csv");
  ASSERT_FALSE(campaigns.ok());
  EXPECT_NE(campaigns.status().message().find("two campaigns match utm_campaign"),
            std::string::npos);
  auto short_row = ParseCatalogCsv("key,name,utm_campaign,persona\na,A\n", "c.csv");
  ASSERT_FALSE(short_row.ok());
  EXPECT_NE(short_row.status().message().find("c.csv:2:"), std::string::npos);
  auto unknown = ParseCatalogCsv("title,topic\nx,y\n", "c.csv");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("neither utm_campaign"), std::string::npos);
}

}  // namespace
}  // namespace tandem
