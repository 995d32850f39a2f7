// The lead dimensions the reports group by, from the traits: country and company size.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "leads/lead_traits.h"

namespace tandem {
namespace {

using nlohmann::json;

TEST(LeadTraits, CountryFromTheAddressElseTheTraitStringsOnly) {
  EXPECT_EQ(CountryOf(json{{"address", {{"country", "DE"}}}, {"country", "FR"}}), "DE");
  EXPECT_EQ(CountryOf(json{{"address", "Berlin"}, {"country", "Germany"}}), "Germany");
  EXPECT_EQ(CountryOf(json{{"country", 49}}), "");
  EXPECT_EQ(CountryOf(json{{"address", {{"country", nullptr}}}}), "");
  EXPECT_EQ(CountryOf(json::array()), "");
}

TEST(LeadTraits, CompanySizeBandsFromANumberOrLeadingDigits) {
  auto band = [](json size) { return CompanySizeBand(json{{"company", {{"size", size}}}}); };
  EXPECT_EQ(band(1), "1-10");
  EXPECT_EQ(band(10), "1-10");
  EXPECT_EQ(band(10.9), "1-10");
  EXPECT_EQ(band(11), "11-50");
  EXPECT_EQ(band(200), "51-200");
  EXPECT_EQ(band("250"), "201-1000");
  EXPECT_EQ(band("51-200"), "51-200");
  EXPECT_EQ(band(5000), "1001-5000");
  EXPECT_EQ(band(5001), "5001+");
  EXPECT_EQ(band(1e300), "5001+");
  EXPECT_EQ(band("99999999999999999999999999"), "5001+");
  for (const json& none : {json(0), json(0.5), json(-3), json("about 50"), json(""), json(true),
                           json(nullptr), json::object()}) {
    EXPECT_EQ(band(none), "") << none.dump();
  }
  EXPECT_EQ(CompanySizeBand(json{{"company", "Acme"}}), "");
  EXPECT_EQ(CompanySizeBand(json::object()), "");
}

}  // namespace
}  // namespace tandem
