// Email templates: every problem a template can be saved with, named with its part,
// line and column; rendering per recipient (a missing value is that recipient's error
// unless the template has a fallback); escaping that keeps web-form values from
// becoming markup or mail headers; the default layout's footer; and the follow-up of
// seeds 003/004, which names the guide the person downloaded.
#include "email/template.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <kainjow/mustache.hpp>
#include <thread>

#include "email/lint.h"
#include "email/template_program.h"

namespace tandem::email {
namespace {

EmailTemplate Template(std::string subject, std::string html,
                       Purpose purpose = Purpose::kEmailMarketing) {
  EmailTemplate t;
  t.key = "sem-guide-follow-up";
  t.name = "SEM guide follow-up";
  t.purpose = purpose;
  t.subject = std::move(subject);
  t.html = std::move(html);
  return t;
}

MergeValues Ann() {
  return {{"lead.first_name", "Ann"},
          {"lead.name", "Ann Hamblin"},
          {"lead.email", "ann@example.org"},
          {"company.name", "Hamblin & Co"},
          {"owner.first_name", "Sam"},
          {"owner.name", "Sam Reyes"},
          {"content.title", "The SEM Buyer's Guide"},
          {"content.url", "https://meetings.example.com/resources/sem-buyers-guide"},
          {"sender.company_name", "Meetings Inc"},
          {"sender.postal_address", "12 Harbour Street, Portland, ME 04101"},
          {"links.unsubscribe_url", "https://meetings.example.com/u/abc123"},
          {"links.preferences_url", "https://meetings.example.com/p/abc123"}};
}

// The one problem CheckTemplate finds, failing the test when there is not exactly one.
TemplateProblem OnlyProblem(const EmailTemplate& t) {
  const std::vector<TemplateProblem> problems = CheckTemplate(t);
  if (problems.size() != 1) {
    ADD_FAILURE() << problems.size() << " problems";
    for (const TemplateProblem& p : problems) ADD_FAILURE() << p.code << ": " << p.message;
  }
  return problems.empty() ? TemplateProblem{} : problems.front();
}

void ExpectAt(const TemplateProblem& p, std::string_view part, int line, int column,
              std::string_view code) {
  EXPECT_EQ(p.part, part);
  EXPECT_EQ(p.line, line);
  EXPECT_EQ(p.column, column);
  EXPECT_EQ(p.code, code) << p.message;
}

RenderedEmail Rendered(const EmailTemplate& t, const MergeValues& values) {
  auto result = RenderTemplate(t, values);
  if (auto* failure = std::get_if<RenderFailure>(&result)) {
    for (const TemplateProblem& p : failure->problems) ADD_FAILURE() << p.code << ": " << p.message;
    return {};
  }
  return std::get<RenderedEmail>(result);
}

std::vector<TemplateProblem> Failed(const EmailTemplate& t, const MergeValues& values) {
  auto result = RenderTemplate(t, values);
  if (std::holds_alternative<RenderedEmail>(result)) {
    ADD_FAILURE() << "rendered, but a failure was expected";
    return {};
  }
  return std::get<RenderFailure>(result).problems;
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The text part with its lines joined: what it says, however it wraps.
std::string Unwrapped(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

TEST(CheckTemplate, AGoodTemplateHasNoProblems) {
  EmailTemplate t = Template("{{lead.first_name | Hello}}, your copy of {{content.title}}",
                             "<p>Hi {{lead.first_name | there}},</p>\n{{! for the team }}\n"
                             "{{#lead.title}}<p>As {{lead.title}}…</p>{{/lead.title}}");
  t.preheader = "{{content.title}} inside";
  EXPECT_TRUE(CheckTemplate(t).empty());
}

TEST(CheckTemplate, UnclosedTagInTheSubject) {
  const TemplateProblem p = OnlyProblem(Template("Hi {{lead.first_name, welcome", "<p>x</p>"));
  ExpectAt(p, "subject", 1, 4, "unclosed_tag");
}

TEST(CheckTemplate, UnclosedSectionInThePreheader) {
  EmailTemplate t = Template("Your guide", "<p>x</p>");
  t.preheader = "About {{#content.title}}{{content.title}}";
  const TemplateProblem p = OnlyProblem(t);
  ExpectAt(p, "preheader", 1, 7, "unclosed_section");
  EXPECT_TRUE(Contains(p.message, "{{/content.title}}")) << p.message;
}

TEST(CheckTemplate, MismatchedSectionInTheHtmlNamesBothPlaces) {
  const std::vector<TemplateProblem> problems = CheckTemplate(
      Template("Your guide", "<p>\n  {{#lead.title}}\n  <b>{{/company.name}}</b>\n</p>"));
  ASSERT_EQ(problems.size(), 2u);
  ExpectAt(problems[0], "html", 2, 3, "unclosed_section");
  ExpectAt(problems[1], "html", 3, 6, "mismatched_section");
  EXPECT_TRUE(Contains(problems[1].message, "line 2, column 3")) << problems[1].message;
}

TEST(CheckTemplate, CloseWithoutOpen) {
  ExpectAt(OnlyProblem(Template("Hi", "<p>x</p>\n\n{{/lead.name}}")), "html", 3, 1,
           "unopened_section");
}

TEST(CheckTemplate, ATagMustCloseOnItsLine) {
  const TemplateProblem p = OnlyProblem(Template("Hi", "<p>{{lead.name\n</p>}}"));
  ExpectAt(p, "html", 1, 4, "unclosed_tag");
}

TEST(CheckTemplate, ColumnsCountCharactersNotBytes) {
  ExpectAt(OnlyProblem(Template("Café — {{", "<p>x</p>")), "subject", 1, 8, "unclosed_tag");
}

TEST(CheckTemplate, BadTags) {
  const TemplateProblem spaced = OnlyProblem(Template("Hi", "<p>{{lead.first_name there}}</p>"));
  ExpectAt(spaced, "html", 1, 4, "bad_tag");
  EXPECT_TRUE(Contains(spaced.message, "{{lead.first_name | there}}")) << spaced.message;
  ExpectAt(OnlyProblem(Template("Hi {{ }}", "<p>x</p>")), "subject", 1, 4, "bad_tag");
}

TEST(CheckTemplate, UnknownFieldSuggestsTheNearOnes) {
  const TemplateProblem typo = OnlyProblem(Template("Hi", "<p>Hi {{lead.frist_name}}</p>"));
  ExpectAt(typo, "html", 1, 7, "unknown_merge_field");
  EXPECT_EQ(typo.field, "lead.frist_name");
  EXPECT_TRUE(Contains(typo.message, "did you mean lead.first_name")) << typo.message;

  const TemplateProblem bare = OnlyProblem(Template("Hi {{first_name}}", "<p>x</p>"));
  EXPECT_TRUE(Contains(bare.message, "lead.first_name")) << bare.message;
  EXPECT_TRUE(Contains(bare.message, "owner.first_name")) << bare.message;

  const TemplateProblem far = OnlyProblem(Template("Hi {{#vip}}!{{/vip}}", "<p>x</p>"));
  ExpectAt(far, "subject", 1, 4, "unknown_merge_field");
  EXPECT_TRUE(Contains(far.message, "lead.")) << far.message;
}

TEST(CheckTemplate, MisspelledCaseIsSuggestedToo) {
  const TemplateProblem p = OnlyProblem(Template("Hi {{Lead.First_Name}}", "<p>x</p>"));
  EXPECT_EQ(p.code, "unknown_merge_field");
  EXPECT_TRUE(Contains(p.message, "did you mean lead.first_name?")) << p.message;
}

TEST(MergeFields, EachHasADescriptionAndNearOnesAreFound) {
  std::vector<std::string> names;
  for (const MergeField& field : MergeFields()) {
    names.push_back(field.name);
    EXPECT_FALSE(field.description.empty()) << field.name;
    EXPECT_EQ(MergeFieldIndex(field.name), names.size() - 1);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"lead.first_name",
                                             "lead.last_name",
                                             "lead.name",
                                             "lead.email",
                                             "lead.title",
                                             "lead.phone",
                                             "company.name",
                                             "company.domain",
                                             "owner.name",
                                             "owner.first_name",
                                             "owner.email",
                                             "owner.title",
                                             "content.title",
                                             "content.topic",
                                             "content.problem",
                                             "content.url",
                                             "campaign.name",
                                             "campaign.offer",
                                             "sender.company_name",
                                             "sender.postal_address",
                                             "links.unsubscribe_url",
                                             "links.preferences_url"}));
  EXPECT_EQ(NearMergeFields("lead.firstname").front(), "lead.first_name");
  EXPECT_EQ(NearMergeFields("unsubscribe_url"), std::vector<std::string>{"links.unsubscribe_url"});
  EXPECT_TRUE(NearMergeFields("zzzzzzzz").empty());
}

TEST(CheckTemplate, UnescapedTagsAreRefused) {
  const TemplateProblem triple = OnlyProblem(Template("Hi", "<p>{{{lead.name}}}</p>"));
  ExpectAt(triple, "html", 1, 4, "unescaped_tag");
  EXPECT_TRUE(Contains(triple.message, "web forms")) << triple.message;
  EXPECT_TRUE(Contains(triple.message, "{{lead.name}}")) << triple.message;
  const TemplateProblem ampersand = OnlyProblem(Template("Hi", "<p>\n{{& lead.name}}</p>"));
  ExpectAt(ampersand, "html", 2, 1, "unescaped_tag");
}

TEST(CheckTemplate, PartialsAndDelimiterChangesAreRefused) {
  ExpectAt(OnlyProblem(Template("Hi", "{{> footer}}")), "html", 1, 1, "partial_tag");
  ExpectAt(OnlyProblem(Template("Hi", "x {{=<% %>=}}")), "html", 1, 3, "set_delimiter_tag");
}

TEST(CheckTemplate, KeyNameLayoutPurposeAndSubject) {
  EmailTemplate t = Template("  ", "<p>x</p>");
  t.key = "Bad Key!";
  t.name = "line\nbreak";
  t.layout = "fancy";
  t.purpose = Purpose::kPhone;
  std::vector<std::string> codes;
  for (const TemplateProblem& p : CheckTemplate(t)) codes.push_back(p.part + ":" + p.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"key:invalid_key", "name:invalid_name",
                                             "purpose:invalid_purpose", "layout:invalid_layout",
                                             "subject:empty_subject"}));
  t = Template("Hi", "<p>x</p>");
  t.key = std::string(65, 'a');
  EXPECT_EQ(OnlyProblem(t).code, "invalid_key");
}

TEST(CheckTemplate, AWholeDocumentNeedsTheLayoutNone) {
  EmailTemplate t = Template("Hi", "\n<html><body><p>x</p></body></html>");
  ExpectAt(OnlyProblem(t), "html", 2, 1, "whole_document");
  t.layout = "none";
  EXPECT_TRUE(CheckTemplate(t).empty());
}

TEST(CheckTemplate, NestingDeeperThanAnyEmailIsRefused) {
  std::string sections;
  for (int i = 0; i < 40; ++i) sections += "{{#lead.name}}";
  for (int i = 0; i < 40; ++i) sections += "{{/lead.name}}";
  ExpectAt(OnlyProblem(Template("Hi", sections)), "html", 1, 1 + 32 * 14, "too_deep");
  std::string divs = "<p>a<br><img src=x><br/></p>\n";
  for (int i = 0; i < 300; ++i) divs += "<div>";
  ExpectAt(OnlyProblem(Template("Hi", divs)), "html", 2, 1 + 256 * 5, "too_deep");
  std::string siblings;
  for (int i = 0; i < 3000; ++i) siblings += "<div><p>x</p><br></div>";
  EXPECT_TRUE(CheckTemplate(Template("Hi", siblings)).empty());
}

TEST(CheckTemplate, OversizedPartsAreRefused) {
  EXPECT_EQ(OnlyProblem(Template("Hi", std::string(2 * 1024 * 1024, 'x'))).code, "too_large");
}

TEST(RenderTemplate, AFieldWithNoValueIsThatRecipientsError) {
  const EmailTemplate t = Template("Your guide, {{lead.first_name}}",
                                   "<p>Hello</p>\n<p>Hi {{lead.first_name}}, {{lead.title}}</p>");
  MergeValues values = Ann();
  values.erase("lead.first_name");
  values["lead.title"] = "   ";  // white space is no value either
  const std::vector<TemplateProblem> problems = Failed(t, values);
  ASSERT_EQ(problems.size(), 3u);
  ExpectAt(problems[0], "subject", 1, 13, "missing_merge_field");
  EXPECT_EQ(problems[0].field, "lead.first_name");
  ExpectAt(problems[1], "html", 2, 7, "missing_merge_field");
  ExpectAt(problems[2], "html", 2, 28, "missing_merge_field");
  EXPECT_EQ(problems[2].field, "lead.title");
  EXPECT_TRUE(Contains(problems[2].message, "{{lead.title | …}}")) << problems[2].message;
  // Another recipient, with the values, is fine.
  values["lead.first_name"] = "Bo";
  values["lead.title"] = "CMO";
  EXPECT_TRUE(Contains(Rendered(t, values).html, "Hi Bo, CMO"));
}

TEST(RenderTemplate, EitherFallbackFormCoversAMissingValue) {
  const EmailTemplate t = Template(
      "{{lead.first_name | Hello}}, your guide",
      "<p>Hi {{#lead.first_name}}{{lead.first_name}}{{/lead.first_name}}{{^lead.first_name}}"
      "there{{/lead.first_name}}.</p><p>{{lead.title | }}|{{company.name | your team}}</p>");
  MergeValues values = Ann();
  values.erase("lead.first_name");
  values.erase("company.name");
  const RenderedEmail email = Rendered(t, values);
  EXPECT_EQ(email.subject, "Hello, your guide");
  EXPECT_TRUE(Contains(email.html, "<p>Hi there.</p><p>|your team</p>")) << email.html;
  const RenderedEmail ann = Rendered(t, Ann());
  EXPECT_EQ(ann.subject, "Ann, your guide");
  EXPECT_TRUE(Contains(ann.html, "<p>Hi Ann.</p><p>|Hamblin &amp; Co</p>")) << ann.html;
}

TEST(RenderTemplate, ValuesAreEscapedInTheHtml) {
  MergeValues values = Ann();
  values["lead.first_name"] = "<script>alert(1)</script>";
  values["lead.name"] = "\"><img src=x onerror=alert(1)>";
  const RenderedEmail email =
      Rendered(Template("Hi",
                        "<p>Hi {{lead.first_name}}</p><a title=\"{{lead.name}}\" "
                        "href=\"{{content.url}}\">guide</a>"),
               values);
  EXPECT_FALSE(Contains(email.html, "<script>"));
  EXPECT_FALSE(Contains(email.html, "<img"));
  EXPECT_TRUE(Contains(email.html, "Hi &lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(Contains(email.html, "title=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""));
  // The text part shows what the person typed, as text.
  EXPECT_TRUE(Contains(email.text, "Hi <script>alert(1)</script>")) << email.text;
}

TEST(RenderTemplate, NoValueCanStartAMailHeader) {
  MergeValues values = Ann();
  values["company.name"] = "Acme\r\nBcc: everyone@example.net\r\n\r\nbody";
  values["lead.first_name"] = "Ann\tB\x0b\x7f\xc2\x85\xe2\x80\xa8";
  EmailTemplate t = Template("{{lead.first_name}} at {{company.name}}", "<p>x</p>");
  t.preheader = "For {{company.name}}";
  const RenderedEmail email = Rendered(t, values);
  EXPECT_EQ(email.subject, "Ann B at Acme Bcc: everyone@example.net body");
  EXPECT_EQ(email.preheader, "For Acme Bcc: everyone@example.net body");
  // Not HTML-escaped: the subject is not HTML.
  values["company.name"] = "Fish & <Chips>";
  EXPECT_EQ(Rendered(t, values).subject, "Ann B at Fish & <Chips>");
}

TEST(RenderTemplate, TheMarketingLayoutAddsTheFooterAndHiddenPreheader) {
  EmailTemplate t = Template("Your guide", "<p>Hi {{lead.first_name}}</p>");
  t.preheader = "{{content.title}}, and what to read next";
  const RenderedEmail email = Rendered(t, Ann());
  EXPECT_TRUE(Contains(email.html, "<a href=\"https://meetings.example.com/u/abc123\">"));
  EXPECT_TRUE(Contains(email.html, "https://meetings.example.com/p/abc123"));
  EXPECT_TRUE(Contains(email.html, "Meetings Inc, 12 Harbour Street, Portland, ME 04101"));
  EXPECT_TRUE(Contains(email.html, "You receive this email because"));
  EXPECT_LT(email.html.find("The SEM Buyer&#39;s Guide, and what to read next"),
            email.html.find("<p>Hi Ann</p>"));
  EXPECT_TRUE(Contains(email.html, "display:none"));
  EXPECT_FALSE(Contains(email.text, "what to read next")) << email.text;
  EXPECT_TRUE(Contains(Unwrapped(email.text),
                       "unsubscribe in one click "
                       "(https://meetings.example.com/u/abc123)"))
      << email.text;

  // The pre-send check finds what compliance asks for.
  LintContext context;
  context.company_name = "Meetings Inc";
  context.postal_address = "12 Harbour Street, Portland, ME 04101";
  context.unsubscribe_url = "https://meetings.example.com/u/";
  for (const Finding& finding :
       Lint(Draft{email.subject, email.preheader, email.html, true}, context)) {
    EXPECT_NE(finding.code, "no_unsubscribe");
    EXPECT_NE(finding.code, "no_postal_address");
  }
}

TEST(RenderTemplate, TheMarketingLayoutNeedsTheSenderAndTheUnsubscribeLink) {
  MergeValues values = Ann();
  values.erase("sender.postal_address");
  values.erase("links.unsubscribe_url");
  const std::vector<TemplateProblem> problems = Failed(Template("Hi", "<p>x</p>"), values);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].part, "layout");
  EXPECT_EQ(problems[0].field, "sender.postal_address");
  EXPECT_EQ(problems[1].field, "links.unsubscribe_url");
  EXPECT_EQ(problems[1].code, "missing_merge_field");
}

TEST(RenderTemplate, SalesEmailHasNoFooter) {
  MergeValues values = Ann();
  values.erase("sender.postal_address");
  values.erase("links.unsubscribe_url");
  const RenderedEmail email = Rendered(
      Template("{{content.title}}", "<p>Hi {{lead.first_name}}</p>", Purpose::kSalesOutreach),
      values);
  EXPECT_TRUE(Contains(email.html, "<p>Hi Ann</p>"));
  EXPECT_FALSE(Contains(email.html, "nsubscribe"));
  EXPECT_FALSE(Contains(email.html, "Harbour"));
  EXPECT_FALSE(Contains(email.html, "footer"));
  EXPECT_EQ(email.text, "Hi Ann");
}

TEST(RenderTemplate, TheLayoutNoneIsTheWholeDocument) {
  EmailTemplate t = Template("Hi", "<html><body><p>{{lead.first_name}}</p></body></html>");
  t.layout = "none";
  MergeValues values = Ann();
  values.erase("links.unsubscribe_url");  // the template carries its own footer, or lint says
  const RenderedEmail email = Rendered(t, values);
  EXPECT_EQ(email.html, "<html><body><p>Ann</p></body></html>");
  EXPECT_EQ(email.text, "Ann");
}

TEST(RenderTemplate, ABadTemplateFailsWithItsProblems) {
  const std::vector<TemplateProblem> problems = Failed(Template("Hi {{x", "<p></p>"), Ann());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].code, "unclosed_tag");
}

// Seeds 003/004: a follow-up that thanks the person "for their interest in the company"
// when they came for a guide. The template names the guide they downloaded.
TEST(RenderTemplate, TheFollowUpNamesTheGuideTheyDownloaded) {
  const EmailTemplate t = Template(
      "{{content.title}}: what did you look for?",
      "<p>Hi {{lead.first_name | there}},</p>\n"
      "<p>You downloaded <a href=\"{{content.url}}\">{{content.title}}</a>. Which part of your "
      "search budget are you deciding on?</p>\n<p>{{owner.first_name}}</p>",
      Purpose::kSalesOutreach);
  const RenderedEmail email = Rendered(t, Ann());
  EXPECT_EQ(email.subject, "The SEM Buyer's Guide: what did you look for?");
  EXPECT_TRUE(Contains(email.html, ">The SEM Buyer&#39;s Guide</a>"));
  EXPECT_TRUE(Contains(Unwrapped(email.text),
                       "You downloaded The SEM Buyer's Guide "
                       "(https://meetings.example.com/resources/sem-buyers-guide)."))
      << email.text;
  LintContext context;
  context.company_name = "Meetings Inc";
  context.engaged_content = {"The SEM Buyer's Guide"};
  const auto codes = [&](const RenderedEmail& e) {
    std::vector<std::string> found;
    for (const Finding& f : Lint(Draft{e.subject, e.preheader, e.html, false}, context))
      found.push_back(f.code);
    return found;
  };
  const std::vector<std::string> found = codes(email);
  for (const char* code : {"copy_generic_thanks", "copy_no_question", "unreplaced_placeholder"})
    EXPECT_EQ(std::count(found.begin(), found.end(), code), 0) << code;
  // The seed's version, the same merge fields notwithstanding, is what the check stops.
  const RenderedEmail seed =
      Rendered(Template("Meetings Inc",
                        "<p>Hi {{lead.first_name}},</p><p>Thank you for your interest in "
                        "Meetings Inc. Attached is some basic information about our "
                        "company.</p><p>{{owner.first_name}}</p>",
                        Purpose::kSalesOutreach),
               Ann());
  const std::vector<std::string> seed_found = codes(seed);
  EXPECT_EQ(std::count(seed_found.begin(), seed_found.end(), "copy_generic_thanks"), 1);
  // Someone the catalog knows nothing about gets no follow-up that pretends it does.
  MergeValues unknown = Ann();
  unknown.erase("content.title");
  const std::vector<TemplateProblem> problems = Failed(t, unknown);
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0].field, "content.title");
}

TEST(CompiledTemplate, ListsTheFieldsItReads) {
  auto compiled =
      CompiledTemplate::Compile(Template("{{company.name}}", "{{#lead.title}}x{{/lead.title}}"));
  ASSERT_TRUE(std::holds_alternative<CompiledTemplate>(compiled));
  EXPECT_EQ(std::get<CompiledTemplate>(compiled).fields_used(),
            (std::vector<std::string>{"lead.title", "company.name", "sender.company_name",
                                      "sender.postal_address", "links.unsubscribe_url",
                                      "links.preferences_url"}));
}

TEST(CompiledTemplate, RendersTheSameOnManyThreads) {
  auto compiled = CompiledTemplate::Compile(
      Template("{{lead.first_name}}", "<p>{{lead.first_name}} {{company.name | }}</p>"));
  ASSERT_TRUE(std::holds_alternative<CompiledTemplate>(compiled));
  const CompiledTemplate& shared = std::get<CompiledTemplate>(compiled);
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      MergeValues values = Ann();
      values["lead.first_name"] = "Reader" + std::to_string(i);
      for (int round = 0; round < 200; ++round) {
        auto email = shared.Render(values);
        results[i] = std::get<RenderedEmail>(email).subject;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (size_t i = 0; i < results.size(); ++i) EXPECT_EQ(results[i], "Reader" + std::to_string(i));
}

// Each recipient's text, derived from the text parsed once at compile time, is what
// parsing that recipient's HTML gives, whichever values are missing.
void ExpectTextOfEveryRecipient(const EmailTemplate& t, bool derived_once) {
  auto compiled = CompiledTemplate::Compile(t);
  ASSERT_TRUE(std::holds_alternative<CompiledTemplate>(compiled));
  const CompiledTemplate& shared = std::get<CompiledTemplate>(compiled);
  EXPECT_EQ(shared.text_derived_once(), derived_once);
  std::vector<MergeValues> recipients = {Ann()};
  for (const char* optional : {"lead.first_name", "lead.title", "company.name", "content.url",
                               "content.title", "links.preferences_url"}) {
    recipients.push_back(Ann());
    recipients.back()[optional] = "";
    recipients.front()["lead.title"] = "Head of <Events> & \"Travel\"";
  }
  for (const MergeValues& values : recipients) {
    auto email = shared.Render(values);
    ASSERT_TRUE(std::holds_alternative<RenderedEmail>(email));
    const RenderedEmail& rendered = std::get<RenderedEmail>(email);
    EXPECT_EQ(rendered.text, PlainTextFromHtml(rendered.html)) << rendered.html;
  }
}

TEST(CompiledTemplate, TheTextPartIsTheTextOfEachRecipientsHtml) {
  ExpectTextOfEveryRecipient(
      Template("Hi",
               "<h1>{{content.title | Our guides}}</h1>\n<p>Hi {{#lead.first_name}}"
               "{{lead.first_name}}{{/lead.first_name}}{{^lead.first_name}}<b>there</b>"
               "{{/lead.first_name}},</p>\n{{#lead.title}}<p>As {{lead.title}}, you decide."
               "</p>{{/lead.title}}\n<p>Read <a href=\"{{content.url | https://x.example}}\">"
               "{{content.title | the guide}}</a> now, or <a href=\"{{content.url | #}}\">"
               "{{content.url | }}</a>.</p>\n<ul><li>{{company.name | Your team}}</li>"
               "<li>{{lead.title | }}</li></ul><img src=\"https://x.example/l.png\" "
               "alt=\"{{company.name | }}\"><p>{{owner.name}}</p>"),
      true);
}

TEST(CompiledTemplate, MarkupThatMovesTextIsDerivedPerRecipient) {
  // Text between table rows is moved before the table by an HTML parser, so markers
  // there would not stand where the section is.
  ExpectTextOfEveryRecipient(
      Template("Hi",
               "<table>{{#lead.title}}<tr><td>As {{lead.title}}</td></tr>{{/lead.title}}"
               "<tr><td>Hello {{lead.name}}</td></tr></table>"),
      false);
}

// What Tandem accepts is standard mustache: kainjow-mustache renders the standard form
// (the shorthand written out) to the same text.
TEST(CompiledTemplate, RendersAsKainjowMustacheDoes) {
  const std::string source =
      "<p>Hi {{lead.first_name | there}}, {{#company.name}}at {{company.name}}{{/company.name}}"
      "{{^lead.title}} (no title){{/lead.title}}</p>\n<p>{{content.title}} &amp; more</p>";
  std::vector<TemplateProblem> problems;
  const PartProgram program = CompilePart("html", PartEscaping::kHtml, source, problems);
  ASSERT_TRUE(problems.empty());
  for (const bool with_values : {true, false}) {
    MergeValues values = Ann();
    values["company.name"] = "O'Brien <&> \"Sons\"";
    if (with_values) {
      values["lead.title"] = "CMO";
    } else {
      values.erase("lead.first_name");
      values.erase("company.name");
    }
    std::vector<std::string_view> by_index(MergeFields().size());
    kainjow::mustache::data data;
    std::map<std::string, kainjow::mustache::data> records;
    for (const auto& [name, value] : values) {
      by_index[*MergeFieldIndex(name)] = value;
      const size_t dot = name.find('.');
      records[name.substr(0, dot)].set(name.substr(dot + 1), value);
    }
    for (const auto& [record, fields] : records) data.set(record, fields);
    kainjow::mustache::mustache reference(program.standard);
    reference.set_custom_escape([](const std::string& value) {
      std::string out;
      AppendEscaped(out, value, PartEscaping::kHtml);
      return out;
    });
    std::string ours;
    RenderPart(program, by_index, ours, problems);
    EXPECT_TRUE(problems.empty());
    EXPECT_EQ(ours, reference.render(data));
  }
}

}  // namespace
}  // namespace tandem::email
