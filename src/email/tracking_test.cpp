#include "email/tracking.h"

#include <gtest/gtest.h>

#include "email/html_facts.h"

namespace tandem::email {
namespace {

Tracking Base() {
  Tracking t;
  t.base_url = "https://t.acme.example";
  t.secret = "s3cret";
  t.send_uid = "em_abc";
  t.opens = false;
  return t;
}

// The links of `html` as a browser reads them (gumbo), in order.
std::vector<std::string> Links(const std::string& html) {
  std::vector<std::string> out;
  for (const HtmlLink& link : ReadHtmlAsWritten(html).links) out.push_back(link.href);
  return out;
}

TEST(Tracking, EveryWebLinkGoesThroughItsSignedRedirect) {
  const Tracking t = Base();
  const std::string html =
      R"(<p><a href="https://acme.example/guide?a=1&amp;b=2">Guide</a> )"
      R"(<A class=x HREF='http://acme.example/x'>X</A> <a href=https://acme.example/u>u</a>)"
      R"(<map><area href="https://acme.example/area"></map></p>)";
  const std::vector<std::string> links = Links(WithTracking(html, t));
  ASSERT_EQ(links.size(), 3u);
  EXPECT_EQ(links[0], ClickUrl(t, "https://acme.example/guide?a=1&b=2"));
  EXPECT_EQ(links[1], ClickUrl(t, "http://acme.example/x"));
  EXPECT_EQ(links[2], ClickUrl(t, "https://acme.example/u"));
  EXPECT_NE(WithTracking(html, t).find(ClickUrl(t, "https://acme.example/area")),
            std::string::npos);
  EXPECT_TRUE(links[0].starts_with("https://t.acme.example/t/c/em_abc/"));
  EXPECT_NE(links[0].find("?u=https%3A%2F%2Facme.example%2Fguide%3Fa%3D1%26b%3D2"),
            std::string::npos);
}

TEST(Tracking, OtherLinksAndMarkupAreLeftAsWritten) {
  Tracking t = Base();
  t.untracked = {"https://t.acme.example/u/1.mac"};
  const std::string html =
      R"(<a href="mailto:sales@acme.example">m</a><a href="#top">t</a>)"
      R"(<a href="https://t.acme.example/u/1.mac">unsubscribe</a>)"
      R"(<a href="https://acme.example/&copy;">entity</a><a href="https://acme.example/a b">sp</a>)"
      R"(<!-- <a href="https://acme.example/comment"> --><img src="https://acme.example/i.png">)"
      R"(<style>a[href="https://acme.example/css"]{}</style><link href="https://acme.example/s.css">)"
      R"(<textarea><a href="https://acme.example/ta"></textarea>)";
  EXPECT_EQ(WithTracking(html, t), html);
}

TEST(Tracking, TheFirstHrefCountsAndAnUnclosedValueStopsTheRewrite) {
  const Tracking t = Base();
  EXPECT_EQ(Links(WithTracking(R"(<a href="https://a.example/1" href="https://a.example/2">)", t)),
            std::vector<std::string>{ClickUrl(t, "https://a.example/1")});
  const std::string broken = R"(<a href="https://a.example/1">x</a><a title="oops href="z">)";
  EXPECT_EQ(Links(WithTracking(broken, t)).front(), ClickUrl(t, "https://a.example/1"));
  // Numeric references and surrounding spaces are read as a browser reads them.
  EXPECT_EQ(Links(WithTracking(R"(<a href="  https://a.example/&#63;q&#x3D;1 ">)", t)),
            std::vector<std::string>{ClickUrl(t, "https://a.example/?q=1")});
}

TEST(Tracking, TheOpenImageGoesBeforeTheEndOfTheBody) {
  Tracking t = Base();
  t.opens = true;
  t.clicks = false;
  const std::string tracked = WithTracking("<html><body><p>Hi</p></BODY></html>", t);
  const size_t image = tracked.find(OpenUrl(t));
  ASSERT_NE(image, std::string::npos);
  EXPECT_LT(image, tracked.find("</BODY>"));
  EXPECT_TRUE(OpenUrl(t).ends_with(".gif"));
  const HtmlFacts facts = ReadHtmlAsWritten(tracked);
  ASSERT_EQ(facts.images.size(), 1u);
  EXPECT_EQ(facts.images[0].alt, std::optional<std::string>(""));
  EXPECT_TRUE(WithTracking("<p>No body</p>", t)
                  .ends_with(".gif\" width=\"1\" height=\"1\" "
                             "alt=\"\" style=\"display:block;"
                             "width:1px;height:1px;border:0\">"));
}

TEST(Tracking, MacsAreBoundToTheSendAndTheLink) {
  const Tracking t = Base();
  const std::string url = ClickUrl(t, "https://a.example/1");
  const size_t slash = url.rfind('/');
  const std::string mac = url.substr(slash + 1, url.find('?') - slash - 1);
  EXPECT_TRUE(IsClickMac("s3cret", "em_abc", "https://a.example/1", mac));
  EXPECT_FALSE(IsClickMac("s3cret", "em_abc", "https://evil.example/", mac));
  EXPECT_FALSE(IsClickMac("s3cret", "em_abd", "https://a.example/1", mac));
  EXPECT_FALSE(IsClickMac("other", "em_abc", "https://a.example/1", mac));
  EXPECT_FALSE(IsOpenMac("s3cret", "em_abc", mac));
  const std::string open = OpenUrl(t);
  const std::string open_mac =
      open.substr(open.rfind('/') + 1, open.size() - open.rfind('/') - 1 - 4);
  EXPECT_TRUE(IsOpenMac("s3cret", "em_abc", open_mac));
  EXPECT_FALSE(IsOpenMac("s3cret", "em_abd", open_mac));
}

TEST(Tracking, MachinesAreToldFromReaders) {
  const TimePoint sent = FromUnixMillis(1'000'000);
  auto reason = [&](std::string_view method, std::string_view agent, std::string_view ip,
                    int seconds_after) {
    return MachineReason({method, agent, ip, sent + std::chrono::seconds(seconds_after), sent});
  };
  const std::string_view firefox =
      "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0";
  EXPECT_EQ(reason("GET", firefox, "203.0.113.5", 600), "");
  EXPECT_EQ(reason("GET",
                   "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com "
                   "GoogleImageProxy)",
                   "66.249.84.1", 600),
            "");
  EXPECT_NE(reason("GET", "Mozilla/5.0", "203.0.113.5", 600).find("Apple Mail Privacy"),
            std::string::npos);
  EXPECT_NE(reason("GET", firefox, "17.58.1.2", 600).find("Apple's network"), std::string::npos);
  EXPECT_NE(reason("GET", firefox, "::ffff:17.58.1.2", 600).find("Apple"), std::string::npos);
  EXPECT_EQ(reason("GET", firefox, "170.1.1.1", 600), "");
  EXPECT_NE(reason("HEAD", firefox, "203.0.113.5", 600), "");
  EXPECT_NE(reason("GET", "", "203.0.113.5", 600), "");
  EXPECT_NE(reason("GET", "Mozilla/5.0 (compatible; Barracuda Sentinel)", "203.0.113.5", 600)
                .find("barracuda"),
            std::string::npos);
  EXPECT_NE(reason("GET", "python-requests/2.31", "203.0.113.5", 600), "");
  EXPECT_NE(reason("GET", firefox, "203.0.113.5", 3).find("10 seconds"), std::string::npos);
}

}  // namespace
}  // namespace tandem::email
