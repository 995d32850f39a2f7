// Fetching an email's links and images at check time, against a real HTTP server on
// 127.0.0.1: answers, redirects, timeouts, image sizes, the cache, and the addresses the
// check refuses to reach.
#include "email/resource_fetcher.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <chrono>

#include "core/time_format.h"
#include "support/fixture_http_server.h"

namespace tandem::email {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class ResourceFetcherTest : public ::testing::Test {
 protected:
  ResourceFetcherTest()
      : server_(std::string(TANDEM_SOURCE_DIR) + "/tests/support/fixture_http_server.py"),
        clock_(*ParseIsoTime("2026-12-01T09:00:00Z")) {}

  static FetchedResources::Options Loopback(milliseconds timeout = milliseconds(2000)) {
    FetchedResources::Options options;
    options.timeout = timeout;
    options.private_hosts = true;
    return options;
  }
  // How many requests the server received for `path`.
  int CountAt(const std::string& path);
  std::string Url(const std::string& path) const { return server_.Url(path); }

  testing::FixtureHttpServer server_;
  ManualClock clock_;
};

size_t Append(char* data, size_t size, size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

int ResourceFetcherTest::CountAt(const std::string& path) {
  std::string body;
  CURL* curl = curl_easy_init();
  const std::string url = Url("/count" + path);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  return rc == CURLE_OK && !body.empty() ? std::stoi(body) : -1;
}

TEST(ForbiddenAddressTest, LoopbackPrivateLinkLocalMulticastAndUnspecifiedAreRefused) {
  for (const auto& [ip, reason] : std::vector<std::pair<std::string, std::string>>{
           {"127.0.0.1", "loopback address 127.0.0.1"},
           {"127.8.9.10", "loopback address 127.8.9.10"},
           {"10.0.0.5", "private address 10.0.0.5"},
           {"172.16.0.1", "private address 172.16.0.1"},
           {"172.31.255.255", "private address 172.31.255.255"},
           {"192.168.1.1", "private address 192.168.1.1"},
           {"169.254.169.254", "link-local address 169.254.169.254"},
           {"0.0.0.0", "unspecified address 0.0.0.0"},
           {"0.1.2.3", "unspecified address 0.1.2.3"},
           {"224.0.0.251", "multicast address 224.0.0.251"},
           {"255.255.255.255", "reserved address 255.255.255.255"},
           {"100.64.0.1", "shared (carrier NAT) address 100.64.0.1"},
           {"::1", "loopback address ::1"},
           {"::", "unspecified address ::"},
           {"fc00::1", "private address fc00::1"},
           {"fd12:3456::1", "private address fd12:3456::1"},
           {"fe80::1", "link-local address fe80::1"},
           {"ff02::1", "multicast address ff02::1"},
           {"::ffff:10.0.0.5", "private address ::ffff:10.0.0.5"},
           {"::ffff:169.254.169.254", "link-local address ::ffff:169.254.169.254"},
           {"64:ff9b::7f00:1", "loopback address 64:ff9b::7f00:1"},
           {"example.com", "not an IP address \"example.com\""},
       }) {
    EXPECT_EQ(ForbiddenAddress(ip), reason) << ip;
  }
  for (const char* ip : {"93.184.216.34", "8.8.8.8", "172.32.0.1", "192.169.0.1", "100.128.0.1",
                         "2606:4700:4700::1111", "::ffff:8.8.8.8", "2001:db8::1"}) {
    EXPECT_EQ(ForbiddenAddress(ip), "") << ip;
  }
}

TEST_F(ResourceFetcherTest, LinksAnswerOrSayWhyNot) {
  FetchedResources fetcher(Loopback(), clock_);
  EXPECT_TRUE(fetcher.Reachable(Url("/ok")));
  EXPECT_EQ(fetcher.Problem(Url("/ok"), ResourceKind::kLink), "");
  EXPECT_FALSE(fetcher.Reachable(Url("/missing")));
  EXPECT_EQ(fetcher.Problem(Url("/missing"), ResourceKind::kLink), "answered 404");
  // Five redirects are followed; a sixth is not.
  EXPECT_TRUE(fetcher.Reachable(Url("/redirect/5")));
  EXPECT_FALSE(fetcher.Reachable(Url("/redirect/6")));
  EXPECT_EQ(fetcher.Problem(Url("/redirect/6"), ResourceKind::kLink), "more than 5 redirects");
  EXPECT_FALSE(fetcher.Reachable(Url("/loop")));
  // A server that refuses HEAD is asked again with GET.
  EXPECT_TRUE(fetcher.Reachable(Url("/no-head")));
  EXPECT_EQ(CountAt("/no-head"), 2);
  EXPECT_EQ(CountAt("/ok"), 1);  // HEAD alone
  // Only the web is fetched.
  EXPECT_FALSE(fetcher.Reachable("file:///etc/passwd"));
  EXPECT_EQ(fetcher.Problem("file:///etc/passwd", ResourceKind::kLink),
            "only http and https addresses are fetched");
}

TEST_F(ResourceFetcherTest, AServerThatNeverAnswersTimesOut) {
  FetchedResources fetcher(Loopback(milliseconds(300)), clock_);
  const auto start = steady_clock::now();
  EXPECT_FALSE(fetcher.Reachable(Url("/never")));
  const auto took = steady_clock::now() - start;
  EXPECT_EQ(fetcher.Problem(Url("/never"), ResourceKind::kLink), "no answer within 300 ms");
  EXPECT_GE(took, milliseconds(250));  // curl counts from its own start
  EXPECT_LT(took, milliseconds(900));
}

TEST_F(ResourceFetcherTest, AnImagesSizeIsReadFromTheRealFile) {
  FetchedResources fetcher(Loopback(), clock_);
  auto size = fetcher.Image(Url("/image.png?w=900&h=300"));
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(size->width, 900);
  EXPECT_EQ(size->height, 300);
  EXPECT_FALSE(fetcher.Image(Url("/page.html")).has_value());
  EXPECT_EQ(fetcher.Problem(Url("/page.html"), ResourceKind::kImage), "the answer is not an image");
  EXPECT_FALSE(fetcher.Image(Url("/missing.png")).has_value());
  EXPECT_EQ(fetcher.Problem(Url("/missing.png"), ResourceKind::kImage), "answered 404");
  EXPECT_FALSE(fetcher.Image(Url("/huge.png")).has_value());
  EXPECT_EQ(fetcher.Problem(Url("/huge.png"), ResourceKind::kImage), "larger than 10 MB");
}

TEST_F(ResourceFetcherTest, AnswersAreCachedUntilTheyExpire) {
  FetchedResources::Options options = Loopback();
  options.cache_for = std::chrono::seconds(600);
  options.failure_cache_for = std::chrono::seconds(30);
  FetchedResources fetcher(options, clock_);
  EXPECT_TRUE(fetcher.Reachable(Url("/ok")));
  EXPECT_TRUE(fetcher.Reachable(Url("/ok")));
  EXPECT_FALSE(fetcher.Reachable(Url("/missing")));
  EXPECT_FALSE(fetcher.Reachable(Url("/missing")));
  EXPECT_EQ(CountAt("/ok"), 1);
  EXPECT_EQ(CountAt("/missing"), 1);
  // A failure is asked again sooner than a success.
  clock_.Advance(std::chrono::seconds(31));
  EXPECT_TRUE(fetcher.Reachable(Url("/ok")));
  EXPECT_FALSE(fetcher.Reachable(Url("/missing")));
  EXPECT_EQ(CountAt("/ok"), 1);
  EXPECT_EQ(CountAt("/missing"), 2);
  clock_.Advance(std::chrono::seconds(600));
  EXPECT_TRUE(fetcher.Reachable(Url("/ok")));
  EXPECT_EQ(CountAt("/ok"), 2);
}

TEST_F(ResourceFetcherTest, TheCacheKeepsAtMostItsLimitDroppingTheLeastRecentlyUsed) {
  FetchedResources::Options options = Loopback();
  options.max_entries = 2;
  FetchedResources fetcher(options, clock_);
  fetcher.Reachable(Url("/redirect/0"));
  fetcher.Reachable(Url("/ok"));
  fetcher.Reachable(Url("/redirect/0"));  // used again: /ok is now the oldest
  fetcher.Reachable(Url("/no-head"));     // pushes /ok out
  fetcher.Reachable(Url("/redirect/0"));
  fetcher.Reachable(Url("/ok"));
  EXPECT_EQ(CountAt("/redirect/0"), 1);
  EXPECT_EQ(CountAt("/ok"), 2);
}

TEST_F(ResourceFetcherTest, PrivateAddressesAreRefusedUnlessAllowedAndLintSaysWhy) {
  FetchedResources::Options options = Loopback();
  options.private_hosts = false;
  FetchedResources fetcher(options, clock_);
  EXPECT_FALSE(fetcher.Reachable(Url("/ok")));
  EXPECT_EQ(fetcher.Problem(Url("/ok"), ResourceKind::kLink),
            "refused: loopback address 127.0.0.1");
  EXPECT_FALSE(fetcher.Image(Url("/image.png?w=2&h=1")).has_value());
  // A name that resolves to loopback is refused by the address it resolves to.
  const std::string by_name = "http://localhost:" + std::to_string(server_.port()) + "/ok";
  EXPECT_FALSE(fetcher.Reachable(by_name));
  EXPECT_TRUE(
      fetcher.Problem(by_name, ResourceKind::kLink).starts_with("refused: loopback address"))
      << fetcher.Problem(by_name, ResourceKind::kLink);
  EXPECT_EQ(CountAt("/ok"), 0);  // nothing reached the server
  EXPECT_EQ(CountAt("/image.png"), 0);

  Draft draft{"A question?", "", "<p>Is this for you?</p><a href=\"" + Url("/ok") + "\">more</a>",
              false};
  auto findings = Lint(draft, LintContext{}, {}, &fetcher);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].code, "link_unreachable");
  EXPECT_EQ(findings[0].message, "the link does not answer: refused: loopback address 127.0.0.1");
}

TEST_F(ResourceFetcherTest, AnEmailsUrlsAreFetchedAtOnce) {
  const milliseconds timeout(400);
  FetchedResources fetcher(Loopback(timeout), clock_);
  std::string html = "<p>Ten pictures of your venue. Which one do you like?</p>";
  for (int i = 0; i < 10; ++i) {
    html += "<img alt=\"v\" src=\"" + Url("/never?n=" + std::to_string(i)) + "\">";
  }
  const auto start = steady_clock::now();
  auto findings = Lint(Draft{"Venues?", "", html, false}, LintContext{}, {}, &fetcher);
  const auto took = steady_clock::now() - start;
  EXPECT_LT(took, 3 * timeout) << "ten slow images cost about one timeout";
  int unreachable = 0;
  for (const Finding& f : findings) {
    if (f.code != "image_unreachable") continue;
    ++unreachable;
    EXPECT_EQ(f.message, "the image cannot be fetched: no answer within 400 ms");
  }
  EXPECT_EQ(unreachable, 10);
}

}  // namespace
}  // namespace tandem::email
