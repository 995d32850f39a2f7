// The plain-text part derived from an email's HTML.
#include "email/plain_text.h"

#include <gtest/gtest.h>

#include <sstream>

namespace tandem::email {
namespace {

TEST(PlainTextFromHtml, ParagraphsStandApartAndBreaksEndLines) {
  EXPECT_EQ(PlainTextFromHtml("<p>Hello <b>Ann</b>,</p><p>Second\n   paragraph</p>"),
            "Hello Ann,\n\nSecond paragraph");
  EXPECT_EQ(PlainTextFromHtml("one<br>two<br><br>three"), "one\ntwo\n\nthree");
  EXPECT_EQ(PlainTextFromHtml("<div>a</div><div>b</div>"), "a\nb");
}

TEST(PlainTextFromHtml, LayoutTablesBecomeLines) {
  EXPECT_EQ(PlainTextFromHtml("<table><tr><td>Left</td><td>Right</td></tr></table><p>After</p>"),
            "Left\nRight\n\nAfter");
}

TEST(PlainTextFromHtml, LinksShowWhereTheyLead) {
  EXPECT_EQ(PlainTextFromHtml("Read <a href=\"https://x.example/guide\">the guide</a>."),
            "Read the guide (https://x.example/guide).");
  EXPECT_EQ(PlainTextFromHtml("<a href=\"https://x.example/\">https://x.example</a>"),
            "https://x.example");
  EXPECT_EQ(PlainTextFromHtml("<a href=\"mailto:sam@x.example\">sam@x.example</a>"),
            "sam@x.example");
  EXPECT_EQ(PlainTextFromHtml("<a href=\"https://x.example/go\"><img src=\"b.png\"></a>"),
            "https://x.example/go");
  EXPECT_EQ(PlainTextFromHtml("<a href=\"#top\">Back to top</a>"), "Back to top");
  EXPECT_EQ(PlainTextFromHtml("<p>First</p><p><a href=\"https://x.example/a\">Read</a></p>"),
            "First\n\nRead (https://x.example/a)");
}

TEST(PlainTextFromHtml, ImagesAreTheirAltText) {
  EXPECT_EQ(PlainTextFromHtml("<p><img src=\"logo.png\" alt=\"Meetings Inc\"></p><p>Hi</p>"),
            "Meetings Inc\n\nHi");
  EXPECT_EQ(PlainTextFromHtml("<img src=\"spacer.gif\"><p>Hi</p>"), "Hi");
}

TEST(PlainTextFromHtml, ListItemsAndHeadings) {
  EXPECT_EQ(PlainTextFromHtml("<h1>Your guide</h1><ul><li>One</li><li>Two<ul><li>Deep</li></ul>"
                              "</li></ul><p>End</p>"),
            "Your guide\n\n- One\n- Two\n  - Deep\n\nEnd");
  EXPECT_EQ(PlainTextFromHtml("<ul><li>One</li><li> </li></ul><p>After</p>"), "- One\n\nAfter");
}

TEST(PlainTextFromHtml, HiddenAndNonTextPartsAreLeftOut) {
  EXPECT_EQ(PlainTextFromHtml("<html><head><title>T</title><style>p{color:red}</style></head>"
                              "<body><script>track()</script><div class=\"preheader\">pre</div>"
                              "<span style=\"DISPLAY: none\">hidden</span><p hidden>gone</p>"
                              "<p>Body</p></body></html>"),
            "Body");
}

TEST(PlainTextFromHtml, EntitiesAreDecodedAndSpacesCollapsed) {
  EXPECT_EQ(PlainTextFromHtml("  Fish &amp; chips&nbsp;&mdash;\n\t &lt;3 &#x263A;  "),
            "Fish & chips — <3 ☺");
}

TEST(PlainTextFromHtml, LinesWrapAt76WithoutBreakingAddresses) {
  std::string words;
  for (int i = 0; i < 40; ++i) words += "word" + std::to_string(i) + " ";
  const std::string url = "https://x.example/" + std::string(90, 'a');
  const std::string text = PlainTextFromHtml("<p>" + words + "<a href=\"" + url +
                                             "\">here</a> end</p>"
                                             "<ul><li>" +
                                             words + "</li></ul>");
  std::istringstream lines(text);
  std::string line;
  bool url_whole = false;
  int item_lines = 0;
  while (std::getline(lines, line)) {
    if (line.find(url) != std::string::npos) {
      url_whole = true;
      EXPECT_EQ(line, "(" + url + ")");
      continue;
    }
    EXPECT_LE(line.size(), 76u) << line;
    if (line.starts_with("- ") || line.starts_with("  word")) ++item_lines;
  }
  EXPECT_TRUE(url_whole) << text;
  EXPECT_GE(item_lines, 4) << text;  // the item's continuation lines are indented under it
  EXPECT_TRUE(text.ends_with(
      "end\n\n- word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11\n"
      "  word12 word13 word14 word15 word16 word17 word18 word19 word20 word21\n"
      "  word22 word23 word24 word25 word26 word27 word28 word29 word30 word31\n"
      "  word32 word33 word34 word35 word36 word37 word38 word39"))
      << text;
}

TEST(PlainTextFromHtml, BrokenMarkupStillGivesText) {
  EXPECT_EQ(PlainTextFromHtml("<p>open <b>bold <i>both</p>after"), "open bold both\n\nafter");
  EXPECT_EQ(PlainTextFromHtml(""), "");
}

}  // namespace
}  // namespace tandem::email
