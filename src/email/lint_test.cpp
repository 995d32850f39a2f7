// The pre-send check. Seed 000's email — "(E-mail Subject)", a logo shown in a box of
// another shape, no opt-out, copy all about the sender — is stopped for each reason; the
// same email fixed passes.
#include "email/lint.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

#include "email/html_facts.h"

namespace tandem::email {
namespace {

// Network facts as a table: reachable URLs and image sizes.
class FakeFacts : public ResourceFacts {
 public:
  bool Reachable(const std::string& url) override { return reachable_.count(url) > 0; }
  std::optional<ImageSize> Image(const std::string& url) override {
    auto it = images_.find(url);
    if (it == images_.end()) return std::nullopt;
    return it->second;
  }
  void Prefetch(const std::vector<std::string>& links,
                const std::vector<std::string>& images) override {
    ++prefetches_;
    prefetched_ += links.size() + images.size();
  }
  std::string Problem(const std::string& url, ResourceKind) override {
    return url.ends_with("/gone.png") ? "answered 404" : "";
  }
  std::map<std::string, bool> reachable_;
  std::map<std::string, ImageSize> images_;
  int prefetches_ = 0;
  size_t prefetched_ = 0;
};

std::vector<std::string> Codes(const std::vector<Finding>& findings) {
  std::vector<std::string> codes;
  for (const Finding& f : findings) codes.push_back(f.code);
  return codes;
}

bool Has(const std::vector<Finding>& findings, const std::string& code) {
  return std::any_of(findings.begin(), findings.end(),
                     [&](const Finding& f) { return f.code == code; });
}

LintContext Meetings() {
  LintContext context;
  context.company_name = "MeetCo";
  context.postal_address = "12 Harbour Road, Leith EH6 6LX";
  context.unsubscribe_url = "https://tandem.example/u/";
  return context;
}

const char* kSeedHtml = R"(<html><body>
<img src="https://meetco.example/logo.png" width="600" height="80">
<p>MeetCo is the leading meeting company. We have hosted meetings for 20 years. Our venues
are the best, our staff are the best, and we are proud of our awards. Contact us today.</p>
</body></html>)";

const char* kFixedHtml = R"(<html><body>
<img src="https://meetco.example/logo.png" width="300" height="100" alt="MeetCo">
<p>Hi Ana, you downloaded the offsite planning guide last week. Are you planning a team
offsite this spring? If you tell me your team size and dates, I can send you three venues
that fit your budget, with your travel times from the office.</p>
<p><a href="https://meetco.example/venues">See venues near you</a></p>
<p><a href="https://tandem.example/u/abc">Unsubscribe</a> · 12 Harbour Road, Leith EH6 6LX</p>
</body></html>)";

FakeFacts Network() {
  FakeFacts facts;
  facts.images_["https://meetco.example/logo.png"] = ImageSize{900, 300};
  facts.reachable_["https://meetco.example/venues"] = true;
  return facts;
}

TEST(LintTest, SeedZeroIsStoppedForEachOfItsFaults) {
  FakeFacts facts = Network();
  Draft seed{"(E-mail Subject)", "", kSeedHtml, /*marketing=*/true};
  auto findings = Lint(seed, Meetings(), {}, &facts);
  EXPECT_TRUE(HasErrors(findings));
  for (const char* code :
       {"subject_placeholder", "image_distorted", "no_unsubscribe", "no_postal_address",
        "copy_about_sender", "copy_no_question", "image_no_alt"}) {
    EXPECT_TRUE(Has(findings, code)) << code << " in " << ::testing::PrintToString(Codes(findings));
  }
  // Errors come first, and each names where and how to fix it.
  EXPECT_EQ(findings.front().severity, Severity::kError);
  for (const Finding& f : findings) {
    EXPECT_FALSE(f.where.empty()) << f.code;
    EXPECT_FALSE(f.fix.empty()) << f.code;
  }
  auto distorted = std::find_if(findings.begin(), findings.end(),
                                [](const Finding& f) { return f.code == "image_distorted"; });
  EXPECT_EQ(distorted->message,
            "the image is 900×300 but shown in a 600×80 box: it will be cut or stretched");
  EXPECT_EQ(distorted->where, "body: image 1 (https://meetco.example/logo.png)");
}

TEST(LintTest, TheSameEmailFixedPasses) {
  FakeFacts facts = Network();
  Draft fixed{"Three venues for your spring offsite?", "Picked for your team", kFixedHtml, true};
  LintContext context = Meetings();
  context.engaged_content = {"Offsite planning guide"};
  auto findings = Lint(fixed, context, {}, &facts);
  EXPECT_TRUE(findings.empty()) << ::testing::PrintToString(Codes(findings));
}

TEST(LintTest, UnreplacedPlaceholdersOfEveryToolAreErrorsWhereverTheyAre) {
  Draft draft{
      "Hi {{first_name}}", "*|FNAME|*, a note",
      R"(<p>Dear [FirstName], from %%company%%, &lt;&lt;Rep Name&gt;&gt; and <<Title>>. Any questions?</p>
                 <a href="https://x.example/?id={{lead.id}}">x.example</a>
                 <img src="https://x.example/a.png" alt="{{alt}}">)",
      false};
  auto findings = Lint(draft, LintContext{});
  std::map<std::string, int> by_where;
  for (const Finding& f : findings)
    if (f.code == "unreplaced_placeholder") ++by_where[f.where.substr(0, f.where.find(':'))];
  EXPECT_EQ(by_where["subject"], 1);
  EXPECT_EQ(by_where["preheader"], 1);
  EXPECT_EQ(by_where["body"], 6) << ::testing::PrintToString(Codes(findings));
}

TEST(LintTest, TextThatOnlyLooksLikeAPlaceholderIsNot) {
  Draft draft{"50% off, then 20% more: [1] of {3}?", "",
              "<p>Prices in [EUR ]? Use {braces} and *stars*, a|b, 100%% sure, a < b > c.</p>",
              false};
  EXPECT_FALSE(Has(Lint(draft, LintContext{}), "unreplaced_placeholder"))
      << ::testing::PrintToString(Codes(Lint(draft, LintContext{})));
}

TEST(LintTest, SubjectRules) {
  auto codes = [](const std::string& subject) {
    return Codes(Lint(Draft{subject, "", "<p>Is this for you?</p>", false}, LintContext{}));
  };
  EXPECT_EQ(codes(""), std::vector<std::string>{"subject_empty"});
  for (const char* label :
       {"(E-mail Subject)", "Subject here", "Untitled", "Lorem ipsum dolor", "  (Subject)  "}) {
    EXPECT_EQ(codes(label)[0], "subject_placeholder") << label;
  }
  EXPECT_EQ(codes(std::string(151, 'a')), std::vector<std::string>{"subject_long"});
  EXPECT_TRUE(codes(std::string(150, 'a')).empty());
  // 150 characters of two bytes each are not too long.
  std::string accented;
  for (int i = 0; i < 150; ++i) accented += "é";
  EXPECT_TRUE(codes(accented).empty());
  EXPECT_EQ(codes("FREE OFFER INSIDE"), std::vector<std::string>{"subject_all_caps"});
  EXPECT_TRUE(codes("Q3 ROI").empty());  // too few letters to shout
  EXPECT_EQ(codes("Really?!!"), std::vector<std::string>{"subject_punctuation"});
  EXPECT_TRUE(codes("Your offsite, sorted?").empty());
}

TEST(LintTest, LinksThatRunScriptsOrShowAnotherDomainAreErrors) {
  FakeFacts facts;
  facts.reachable_["https://bank.example.net/login"] = true;
  facts.reachable_["https://www.meetco.example/a"] = true;
  Draft draft{"A question?", "",
              R"html(<a href="javascript:alert(1)">click</a>
                 <a href="https://bank.example.net/login">www.meetco.example</a>
                 <a href="https://www.meetco.example/a">meetco.example/a</a>
                 <a href="https://gone.example/">read more</a>)html",
              false};
  auto findings = Lint(draft, LintContext{}, {}, &facts);
  EXPECT_TRUE(Has(findings, "link_javascript"));
  auto differs = std::find_if(findings.begin(), findings.end(), [](const Finding& f) {
    return f.code == "link_text_domain_differs";
  });
  ASSERT_NE(differs, findings.end());
  EXPECT_EQ(differs->message, "the link shows meetco.example but leads to bank.example.net");
  EXPECT_EQ(std::count_if(findings.begin(), findings.end(),
                          [](const Finding& f) { return f.code == "link_text_domain_differs"; }),
            1);
  auto gone = std::find_if(findings.begin(), findings.end(),
                           [](const Finding& f) { return f.code == "link_unreachable"; });
  ASSERT_NE(gone, findings.end());
  EXPECT_EQ(gone->where, "body: link 4 (https://gone.example/)");
}

TEST(LintTest, ImagesWithoutAltOverHttpUnreachableOrAloneAreFound) {
  FakeFacts facts;
  facts.images_["https://cdn.example/a.png"] = ImageSize{200, 100};
  Draft draft{"Look?", "",
              R"(<img src="http://cdn.example/b.png" alt="b">
                 <img src="https://cdn.example/a.png" style="width: 100px; height:50px">
                 <img src="https://cdn.example/missing.png" alt="">)",
              false};
  auto findings = Lint(draft, LintContext{}, {}, &facts);
  EXPECT_TRUE(Has(findings, "image_not_https"));
  EXPECT_TRUE(Has(findings, "image_no_alt"));
  EXPECT_TRUE(Has(findings, "image_unreachable"));
  EXPECT_TRUE(Has(findings, "image_only"));
  EXPECT_FALSE(Has(findings, "image_distorted"));  // 100×50 keeps 200×100's shape
}

TEST(LintTest, TheNetworkIsAskedOnceAboutAtMostFiftyUrlsAndWhyOneFailedIsSaid) {
  FakeFacts facts;
  std::string html = "<p>Which of these rooms would suit your team?</p>";
  for (int i = 0; i < 60; ++i) {
    const std::string src = "https://cdn.example/" + std::to_string(i) + ".png";
    facts.images_[src] = ImageSize{100, 100};
    html += "<img alt=\"room\" src=\"" + src + "\">";
  }
  html += "<img alt=\"room\" src=\"https://cdn.example/0.png\">";  // the same URL again
  auto findings = Lint(Draft{"Rooms?", "", html, false}, LintContext{}, {}, &facts);
  EXPECT_EQ(facts.prefetches_, 1);
  EXPECT_EQ(facts.prefetched_, 50u);
  auto skipped = std::find_if(findings.begin(), findings.end(),
                              [](const Finding& f) { return f.code == "resources_not_checked"; });
  ASSERT_NE(skipped, findings.end()) << ::testing::PrintToString(Codes(findings));
  EXPECT_EQ(skipped->message,
            "10 more images and links than the 50 the check fetches were not checked");
  EXPECT_FALSE(HasErrors(findings));

  auto gone =
      Lint(Draft{"Rooms?", "", R"(<img alt="r" src="https://cdn.example/gone.png">)", false},
           LintContext{}, {}, &facts);
  ASSERT_TRUE(Has(gone, "image_unreachable"));
  EXPECT_EQ(gone.front().message, "the image cannot be fetched: answered 404");
}

TEST(LintTest, HtmlOverGmailsLimitIsAWarning) {
  std::string html = "<p>Is this for you? " + std::string(103 * 1024, 'x') + "</p>";
  auto findings = Lint(Draft{"Hello?", "", html, false}, LintContext{});
  EXPECT_EQ(Codes(findings), std::vector<std::string>{"html_clipped"});
  EXPECT_FALSE(HasErrors(findings));
}

TEST(LintTest, AGenericThankYouToSomeoneWhoCameForContentIsAWarning) {
  LintContext context = Meetings();
  context.engaged_content = {"Offsite planning guide"};
  Draft draft{"Your guide?", "",
              "<p>Thank you for your interest in MeetCo. Can you tell me about your team?</p>",
              false};
  auto findings = Lint(draft, context);
  ASSERT_TRUE(Has(findings, "copy_generic_thanks"));
  context.engaged_content.clear();
  EXPECT_FALSE(Has(Lint(draft, context), "copy_generic_thanks"));
}

TEST(HtmlFactsTest, ReadsVisibleTextLinksAndImageBoxes) {
  HtmlFacts facts = ReadHtml(
      R"(<head><title>t</title><style>p{}</style></head><body><script>x()</script>
         <p>One&nbsp;<b>two</b></p><div>three</div><a href="h">  link
         text </a><img src="s" alt="a" width="10px" style="height: 5px"><img src="u">)");
  EXPECT_EQ(facts.text, "One\u00a0two three link text");
  ASSERT_EQ(facts.links.size(), 1u);
  EXPECT_EQ(facts.links[0].href, "h");
  EXPECT_EQ(facts.links[0].text, "link text");
  ASSERT_EQ(facts.images.size(), 2u);
  EXPECT_EQ(facts.images[0].alt, "a");
  EXPECT_EQ(facts.images[0].width, 10);
  EXPECT_EQ(facts.images[0].height, 5);
  EXPECT_FALSE(facts.images[1].alt.has_value());
}

TEST(HtmlFactsTest, EveryRunOfWhiteSpaceIsOneSpace) {
  HtmlFacts facts =
      ReadHtml("<p> \t one\r\n\n  two\t</p><p>\nthree <a href=\"h\">\n four \t five\n</a>six</p>");
  EXPECT_EQ(facts.text, "one two three four five six");
  ASSERT_EQ(facts.links.size(), 1u);
  EXPECT_EQ(facts.links[0].text, "four five");
}

std::string Newsletter(int sections) {
  std::string html = "<table>";
  for (int i = 0; i < sections; ++i) {
    html += "<tr><td style=\"padding:8px\"><img src=\"https://x.example/" + std::to_string(i) +
            ".png\" width=\"20\" height=\"10\" alt=\"a\"><p>Room " + std::to_string(i) +
            " for your team?</p><a href=\"https://x.example/" + std::to_string(i) +
            "\">See it</a></td></tr>";
  }
  return html + "</table>";
}

void ExpectSame(const HtmlFacts& a, const HtmlFacts& b) {
  EXPECT_EQ(a.text, b.text);
  ASSERT_EQ(a.links.size(), b.links.size());
  for (size_t i = 0; i < a.links.size(); ++i) {
    EXPECT_EQ(a.links[i].href, b.links[i].href);
    EXPECT_EQ(a.links[i].text, b.links[i].text);
  }
  ASSERT_EQ(a.images.size(), b.images.size());
  for (size_t i = 0; i < a.images.size(); ++i) {
    EXPECT_EQ(a.images[i].src, b.images[i].src);
    EXPECT_EQ(a.images[i].alt, b.images[i].alt);
    EXPECT_EQ(a.images[i].width, b.images[i].width);
    EXPECT_EQ(a.images[i].height, b.images[i].height);
  }
}

// A thread's parses reuse its memory: one after a parse far larger than what is kept
// between parses (with an attribute longer than a block) reads the same as before it.
TEST(HtmlFactsTest, AParseAfterAHugeOneReadsTheSame) {
  const std::string small = Newsletter(3);
  const HtmlFacts before = ReadHtml(small);
  ASSERT_EQ(before.images.size(), 3u);
  // A paragraph's end adds no space: only the start of a block does.
  EXPECT_EQ(before.text,
            "Room 0 for your team?See it Room 1 for your team?See it Room 2 for your team?See it");

  const std::string data = "data:image/png;base64," + std::string(600 * 1024, 'A');
  const std::string huge = "<img src=\"" + data + "\" alt=\"big\">" + Newsletter(6000);
  const HtmlFacts big = ReadHtml(huge);
  ASSERT_EQ(big.images.size(), 6001u);
  EXPECT_EQ(big.images[0].src, data);
  EXPECT_EQ(big.links.size(), 6000u);
  EXPECT_EQ(big.links.back().href, "https://x.example/5999");

  ExpectSame(ReadHtml(small), before);
  ExpectSame(ReadHtml(huge), big);
}

TEST(HtmlFactsTest, ThreadsParsingAtOnceEachReadTheirOwn) {
  const std::string html[] = {Newsletter(40), Newsletter(7)};
  const HtmlFacts expected[] = {ReadHtml(html[0]), ReadHtml(html[1])};
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (size_t t = 0; t < mismatches.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const size_t which = (t + static_cast<size_t>(i)) % 2;
        const HtmlFacts facts = ReadHtml(html[which]);
        if (facts.text != expected[which].text ||
            facts.links.size() != expected[which].links.size() ||
            facts.images.size() != expected[which].images.size()) {
          ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace tandem::email
