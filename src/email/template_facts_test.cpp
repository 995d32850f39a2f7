// The check's facts derived once per shape of a template's document equal a full parse of
// each recipient's document: for ordinary values, for hostile ones, and for templates
// that put values where deriving is not exact (those are parsed for every recipient).
#include "email/template_facts.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <variant>
#include <vector>

namespace tandem::email {
namespace {

EmailTemplate Template(std::string html, std::string preheader = "") {
  EmailTemplate t;
  t.key = "spring-event";
  t.name = "Spring event";
  t.purpose = Purpose::kEmailMarketing;
  t.subject = "{{lead.first_name | Hello}}, the spring event";
  t.preheader = std::move(preheader);
  t.html = std::move(html);
  return t;
}

CompiledTemplate Compiled(const EmailTemplate& t) {
  auto compiled = CompiledTemplate::Compile(t);
  const auto* problems = std::get_if<std::vector<TemplateProblem>>(&compiled);
  if (problems != nullptr) {
    for (const TemplateProblem& p : *problems) ADD_FAILURE() << p.code << ": " << p.message;
  }
  return std::get<CompiledTemplate>(std::move(compiled));
}

MergeValues Base() {
  return {{"sender.company_name", "Meetings Inc"},
          {"sender.postal_address", "12 Harbour Street, Portland, ME 04101"},
          {"links.unsubscribe_url", "https://meetings.example.com/u/abc123"},
          {"links.preferences_url", "https://meetings.example.com/p/abc123"}};
}

MergeValues With(std::initializer_list<std::pair<const std::string, std::string>> values) {
  MergeValues out = Base();
  for (const auto& [name, value] : values) out[name] = value;
  return out;
}

void ExpectSame(const HtmlFacts& derived, const HtmlFacts& parsed, const std::string& html) {
  EXPECT_EQ(derived.text, parsed.text) << html;  // the likeliest difference, shown
  EXPECT_TRUE(derived == parsed) << html;
}

// Renders `t` for each of `recipients` and compares the derived facts with a full parse;
// returns how many documents the derivation parsed.
size_t CheckAll(const EmailTemplate& t, const std::vector<MergeValues>& recipients) {
  const CompiledTemplate compiled = Compiled(t);
  TemplateHtmlFacts shapes(compiled);
  for (const MergeValues& values : recipients) {
    auto rendered = compiled.Render(values);
    const auto* email = std::get_if<RenderedEmail>(&rendered);
    if (email == nullptr) continue;
    ExpectSame(shapes.For(values, email->html), ReadHtml(email->html), email->html);
  }
  return shapes.parses();
}

const std::string kTypical =
    "<p>Hi {{lead.first_name | there}},</p>\n"
    "<p>You downloaded <a href=\"{{content.url}}\">{{content.title}}</a>. "
    "{{#company.name}}Is {{company.name}} planning an event this spring?{{/company.name}}"
    "{{^company.name}}Are you planning an event this spring?{{/company.name}}</p>\n"
    "<img src=\"https://cdn.example.com/hero.png\" alt=\"The spring hall\" width=\"600\" "
    "height=\"300\">\n"
    "<p><a href='https://meetings.example.com/book?who={{lead.email}}'>Book a call with "
    "{{owner.first_name | us}}</a></p>\n"
    "<!-- {{lead.first_name | nobody}} -->"
    "<p title=\"{{lead.title | }}\">{{lead.title | }}</p>";

TEST(TemplateFactsTest, OrdinaryRecipientsShareOneParsePerShape) {
  std::vector<MergeValues> recipients;
  for (int i = 0; i < 50; ++i) {
    recipients.push_back(
        With({{"lead.first_name", "Ann " + std::to_string(i)},
              {"lead.email", "ann" + std::to_string(i) + "@example.org"},
              {"lead.title", i % 2 == 0 ? "VP   Events" : ""},
              {"company.name", i % 3 == 0 ? "" : "Hamblin & Co <The Best>"},
              {"owner.first_name", "Sam"},
              {"content.title", "The SEM \"Buyer's\" Guide"},
              {"content.url", "https://example.com/g?a=1&b=" + std::to_string(i)}}));
  }
  // Four shapes (title and company present or not): each parsed twice, once with markers
  // and once to compare; the other 42 recipients are derived.
  EXPECT_EQ(CheckAll(Template(kTypical, "For {{lead.first_name | you}}"), recipients), 8u);
}

TEST(TemplateFactsTest, HostileValuesEqualAFullParse) {
  const std::vector<std::string> values = {"a\r\nb",
                                           "nul\x00here",
                                           std::string("\xEE\x80\x81", 3),
                                           "bad \xC3 utf8",
                                           "amp;x",
                                           "lt;b&gt;",
                                           "<b>bold</b>",
                                           "tab\there\nline",
                                           "\xC2\x85",
                                           "\xE2\x80\xA8",
                                           "\"quoted' `tick`",
                                           "{{lead.first_name}}",
                                           "&#x41;",
                                           "  spaced   out  ",
                                           "\xEF\xBB\xBF bom",
                                           "<<First Name>>",
                                           "--> <!--",
                                           "</a></p>",
                                           "x\x7Fy",
                                           "\xF0\x9F\x8E\x89 party"};
  std::vector<MergeValues> recipients;
  for (const std::string& v : values) {
    recipients.push_back(With({{"lead.first_name", v},
                               {"lead.email", v},
                               {"company.name", v},
                               {"content.title", v},
                               {"content.url", v},
                               {"lead.title", v}}));
  }
  const size_t parses = CheckAll(Template(kTypical, "{{lead.first_name | }}"), recipients);
  EXPECT_GT(parses, 2u);  // the values a parser changes were parsed, not derived
}

TEST(TemplateFactsTest, RandomValuesEqualAFullParse) {
  std::mt19937 random(20261202);
  const std::string alphabet = "aZ09 \t\n&<>\"'`;#=/-!?.:\xC3\xA9";
  std::vector<MergeValues> recipients;
  for (int i = 0; i < 300; ++i) {
    auto value = [&] {
      std::string out;
      const int length = static_cast<int>(random() % 12);
      for (int k = 0; k < length; ++k) {
        const size_t pick = random() % alphabet.size();
        if (alphabet[pick] == '\xC3') {
          out += "\xC3\xA9";
        } else if (alphabet[pick] != '\xA9') {
          out += alphabet[pick];
        }
      }
      return out;
    };
    recipients.push_back(With({{"lead.first_name", value()},
                               {"lead.email", value()},
                               {"lead.title", value()},
                               {"company.name", value()},
                               {"owner.first_name", value()},
                               {"content.title", value()},
                               {"content.url", value()}}));
  }
  // Most recipients were derived, not parsed: the comparison above was of derived facts.
  EXPECT_LT(CheckAll(Template(kTypical, "{{lead.first_name | }} {{lead.title | }}"), recipients),
            recipients.size() / 2);
}

// Values where replacing a marker is not a parse: each template is parsed for every
// recipient (and still gets the right facts).
TEST(TemplateFactsTest, ValuesInMarkupAreParsedForEveryRecipient) {
  const std::vector<std::string> templates = {
      "<p>x</p><img src=\"a.png\" width=\"{{lead.title | 100}}\" height=\"50\" alt=\"\">",
      "<p>x</p><img src=\"https://cdn.example.com/{{lead.email}}.png\" alt=\"\">",
      "<p><a href={{content.url}}>go</a></p>",
      "<p>&{{lead.title | amp;}} and &am{{lead.title | p;}}</p>",
      "<p><{{lead.title | b}}>x</p>",
      "<p></{{lead.title | p}}>x</p>",
      "<p data-{{lead.title | x}}=\"1\">x</p>",
  };
  for (const std::string& html : templates) {
    std::vector<MergeValues> recipients;
    for (const char* title : {"amp;", "p;", "b", "300", "lt;"}) {
      recipients.push_back(With({{"lead.title", title},
                                 {"lead.email", "ann@example.org"},
                                 {"content.url", "https://example.com/x y"}}));
    }
    EXPECT_EQ(CheckAll(Template(html), recipients), recipients.size()) << html;
  }
}

TEST(TemplateFactsTest, TemplateHoldingAMarkerIsParsedForEveryRecipient) {
  const std::string marker = "\xEE\x80\x80";
  std::vector<MergeValues> recipients(5, With({{"lead.first_name", "Ann"}}));
  EXPECT_EQ(CheckAll(Template("<p>" + marker + " {{lead.first_name}}</p>"), recipients), 5u);
}

}  // namespace
}  // namespace tandem::email
