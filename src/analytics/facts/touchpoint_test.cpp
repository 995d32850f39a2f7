// Which events are touchpoints, and what each field takes from the message.
#include "analytics/facts/touchpoint.h"

#include <gtest/gtest.h>

namespace tandem {
namespace {

StoredEvent Event(std::string type, std::string payload) {
  StoredEvent e;
  e.id = 42;
  e.record.type = std::move(type);
  e.record.timestamp = FromUnixMillis(1'700'000'000'000);
  e.record.payload = std::move(payload);
  return e;
}

TEST(Touchpoint, APageViewWithCampaignFieldsIsOneWithEveryField) {
  auto t = TouchpointOf(Event("page", R"({"type":"page","context":{"page":{
      "path":"/pricing","url":"https://www.tandem.example/pricing?utm_source=google",
      "referrer":"https://www.Google.com/search?q=x"},
      "campaign":{"source":"google","medium":"cpc","name":"brand","term":"lead scoring",
      "content":"ad-2"}}})"));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->event_id, 42);
  EXPECT_EQ(t->at, FromUnixMillis(1'700'000'000'000));
  EXPECT_EQ(t->type, "page");
  EXPECT_EQ(t->source, "google");
  EXPECT_EQ(t->medium, "cpc");
  EXPECT_EQ(t->campaign, "brand");
  EXPECT_EQ(t->term, "lead scoring");
  EXPECT_EQ(t->content, "ad-2");
  EXPECT_EQ(t->referrer_domain, "google.com");
  EXPECT_EQ(t->landing_page, "/pricing");
  EXPECT_EQ(t->form, "");
  EXPECT_EQ(t->content_item, "");
}

TEST(Touchpoint, APageViewFromAnotherSiteIsOneAndFromTheSameSiteIsNot) {
  auto external = TouchpointOf(Event("page", R"({"properties":{"path":"/a",
      "url":"https://tandem.example/a","referrer":"http://news.example.org:8080/story"}})"));
  ASSERT_TRUE(external.has_value());
  EXPECT_EQ(external->referrer_domain, "news.example.org");
  EXPECT_EQ(external->landing_page, "/a");
  EXPECT_EQ(external->source, "");
  // www. and case do not make another site.
  EXPECT_FALSE(TouchpointOf(Event("page", R"({"context":{"page":{"path":"/b",
      "url":"https://www.tandem.example/b","referrer":"https://TANDEM.example/a"}}})")));
  EXPECT_FALSE(TouchpointOf(Event("page", R"({"context":{"page":{"path":"/b"}}})")));
}

TEST(Touchpoint, FormsAndContentMakeTrackCallsOnesAndNothingElseDoes) {
  auto form = TouchpointOf(Event("track", R"({"event":"Form Submitted",
      "properties":{"form_id":"demo-request","path":"/demo"}})"));
  ASSERT_TRUE(form.has_value());
  EXPECT_EQ(form->form, "demo-request");
  EXPECT_EQ(form->landing_page, "/demo");
  auto named = TouchpointOf(Event("track", R"({"properties":{"form":"contact","form_id":"x"}})"));
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(named->form, "contact");
  auto download = TouchpointOf(Event("track", R"({"properties":{"asset_id":"sem-guide"}})"));
  ASSERT_TRUE(download.has_value());
  EXPECT_EQ(download->content_item, "sem-guide");
  // Campaign fields alone do not make a track call one: every call on a landing page
  // carries them.
  EXPECT_FALSE(TouchpointOf(Event("track", R"({"properties":{"plan":"growth"},
      "context":{"campaign":{"source":"google"},"page":{"referrer":"https://bing.com/"}}})")));
  EXPECT_FALSE(TouchpointOf(Event("track", R"({"properties":{"form":""}})")));
}

TEST(Touchpoint, AnIdentifyIsOneOnlyWithCampaignFields) {
  auto t = TouchpointOf(Event("identify", R"({"traits":{"email":"a@b.example"},
      "context":{"campaign":{"campaign":"webinar"}}})"));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->campaign, "webinar");
  EXPECT_FALSE(TouchpointOf(Event("identify", R"({"traits":{"email":"a@b.example"},
      "context":{"page":{"referrer":"https://google.com/"}}})")));
}

TEST(Touchpoint, OtherTypesNonStringsAndBrokenMessagesAreNone) {
  EXPECT_FALSE(TouchpointOf(Event("screen", R"({"context":{"campaign":{"source":"x"}}})")));
  EXPECT_FALSE(TouchpointOf(Event("alias", R"({"properties":{"form":"x"}})")));
  EXPECT_FALSE(TouchpointOf(Event("track", R"({"properties":{"form":7,"asset_id":null}})")));
  EXPECT_FALSE(TouchpointOf(Event("page", R"({"context":{"campaign":"google"}})")));
  EXPECT_FALSE(TouchpointOf(Event("page", R"({"context":{"campaign":{"source":)")));
  auto t = TouchpointOf(Event("page", R"({"context":{"campaign":{"name":5,"campaign":"c"}}})"));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->campaign, "c");
}

TEST(UrlHost, SchemePortPathQueryCaseAndWww) {
  EXPECT_EQ(UrlHost("https://WWW.Example.COM:443/a?b#c"), "example.com");
  EXPECT_EQ(UrlHost("example.com/path"), "example.com");
  EXPECT_EQ(UrlHost("android-app://com.google.android.gm"), "com.google.android.gm");
  EXPECT_EQ(UrlHost("https://sub.www.example.com"), "sub.www.example.com");
  EXPECT_EQ(UrlHost(""), "");
}

// A field is a group of the reports: kept to its first 256 characters, cut between
// characters, never inside one.
TEST(Touchpoint, LongFieldsAreKeptToTheirFirst256Characters) {
  std::string long_campaign;
  for (int i = 0; i < 300; ++i) long_campaign += "é";  // two bytes each
  const std::string long_path = "/" + std::string(5000, 'p');
  auto t = TouchpointOf(Event("page", R"({"type":"page","context":{"page":{"path":")" + long_path +
                                          R"("},"campaign":{"source":"google","name":")" +
                                          long_campaign + R"("}}})"));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->source, "google");
  EXPECT_EQ(t->campaign.size(), 512u) << "256 characters of two bytes";
  EXPECT_EQ(t->campaign, long_campaign.substr(0, 512));
  EXPECT_EQ(t->landing_page, long_path.substr(0, 256));
}

}  // namespace
}  // namespace tandem
