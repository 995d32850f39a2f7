// Classifying received email, on messages shaped like the ones real servers and mail
// programs send (testdata/inbound/*.eml): Postfix, Gmail, Exim, qmail and Exchange
// bounces, Outlook, German and French out-of-office replies, an ARF complaint, and
// replies; then the date and "do not call" readers on their own.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/time_format.h"
#include "email/inbound_classify.h"

namespace tandem::email {
namespace {

using std::chrono::year_month_day;

std::string Sample(const std::string& name) {
  std::ifstream in(std::string(TANDEM_SOURCE_DIR) + "/src/email/testdata/inbound/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

year_month_day Day(int y, unsigned m, unsigned d) {
  return year_month_day{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

std::string DayText(const std::optional<NamedDay>& day) {
  if (!day) return "none";
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(day->day.year()),
                     static_cast<unsigned>(day->day.month()),
                     static_cast<unsigned>(day->day.day()));
}

struct Case {
  const char* file;
  const char* kind;
  const char* status;       // "" when none
  const char* recipient;    // the address named (recipient, or among the named ones)
  const char* back_on;      // "none" when none
  const char* do_not_call;  // a part of the quoted sentence; "" when none
  const char* reference;    // the first Message-ID it answers
};

const Case kCases[] = {
    {"reply_plain.eml", "reply", "", "", "none", "",
     "a1b2c3d4e5f60718293a4b5c6d7e8f90@meetco.example"},
    {"reply_outlook_html.eml", "reply", "", "", "none", "",
     "b2c3d4e5f60718293a4b5c6d7e8f90a1@meetco.example"},
    {"reply_do_not_call.eml", "reply", "", "", "none", "please don\u2019t call me; email is fine",
     "a1b2c3d4e5f60718293a4b5c6d7e8f90@meetco.example"},
    {"dsn_hard_postfix.eml", "hard_bounce", "5.1.1", "gone@offsite.example", "none", "",
     "c3d4e5f60718293a4b5c6d7e8f90a1b2@meetco.example"},
    {"dsn_delayed_gmail.eml", "soft_bounce", "4.4.7", "slow@offsite.example", "none", "",
     "d4e5f60718293a4b5c6d7e8f90a1b2c3@meetco.example"},
    {"dsn_mailbox_full.eml", "soft_bounce", "5.2.2", "full@offsite.example", "none", "",
     "e5f60718293a4b5c6d7e8f90a1b2c3d4@meetco.example"},
    {"bounce_exim.eml", "hard_bounce", "5.1.1", "left@offsite.example", "none", "",
     "f60718293a4b5c6d7e8f90a1b2c3d4e5@meetco.example"},
    {"bounce_qmail.eml", "hard_bounce", "5.1.1", "bob@oldhost.example", "none", "",
     "0718293a4b5c6d7e8f90a1b2c3d4e5f6@meetco.example"},
    {"bounce_exchange_de.eml", "hard_bounce", "5.1.10", "jan.meier@konzern.example", "none", "",
     "18293a4b5c6d7e8f90a1b2c3d4e5f607@meetco.example"},
    {"bounce_soft_text.eml", "soft_bounce", "4.7.1", "carl@isp.example", "none", "",
     "293a4b5c6d7e8f90a1b2c3d4e5f60718@meetco.example"},
    {"ooo_en.eml", "auto_reply", "", "", "2027-01-12", "please do not call me during this time",
     "a1b2c3d4e5f60718293a4b5c6d7e8f90@meetco.example"},
    {"ooo_outlook_en.eml", "auto_reply", "", "", "2027-01-09", "",
     "3a4b5c6d7e8f90a1b2c3d4e5f6071829@meetco.example"},
    {"ooo_de.eml", "auto_reply", "", "", "2027-01-12",
     "Bitte rufen Sie mich in dieser Zeit nicht an", ""},
    {"ooo_fr.eml", "auto_reply", "", "", "2027-01-11", "Merci de ne pas m\u2019appeler",
     "4b5c6d7e8f90a1b2c3d4e5f60718293a@meetco.example"},
    {"ooo_no_date.eml", "auto_reply", "", "", "none", "", ""},
    {"ooo_weekday.eml", "auto_reply", "", "", "2026-12-07", "", ""},
    {"arf_complaint.eml", "complaint", "", "ana@offsite.example", "none", "",
     "5c6d7e8f90a1b2c3d4e5f60718293a4b@meetco.example"},
};

class ClassifySample : public ::testing::TestWithParam<Case> {};

TEST_P(ClassifySample, ReadsWhatTheMessageIsAndWhatItAsks) {
  const Case& c = GetParam();
  auto parsed = ParseMime(Sample(c.file));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const InboundClassification got = ClassifyInbound(*parsed, *ParseIsoTime("2026-12-02T12:00:00Z"));
  EXPECT_EQ(InboundKindName(got.kind), c.kind) << got.why;
  EXPECT_EQ(got.status, c.status) << got.why;
  if (std::string(c.recipient).empty()) {
    EXPECT_EQ(got.recipient, "");
  } else if (got.recipient != c.recipient) {
    EXPECT_NE(std::find(got.named_addresses.begin(), got.named_addresses.end(), c.recipient),
              got.named_addresses.end())
        << "neither the recipient (" << got.recipient << ") nor a named address is " << c.recipient;
  }
  EXPECT_EQ(DayText(got.back_on), c.back_on);
  if (std::string(c.do_not_call).empty()) {
    EXPECT_EQ(got.do_not_call, "");
  } else {
    EXPECT_NE(got.do_not_call.find(c.do_not_call), std::string::npos) << got.do_not_call;
  }
  if (std::string(c.reference).empty()) {
    EXPECT_TRUE(got.references.empty() ||
                got.references.front().find("meetco") == std::string::npos);
  } else {
    ASSERT_FALSE(got.references.empty());
    EXPECT_EQ(got.references.front(), c.reference);
  }
  EXPECT_FALSE(got.why.empty());
}

INSTANTIATE_TEST_SUITE_P(Samples, ClassifySample, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& param) {
                           std::string name = param.param.file;
                           name = name.substr(0, name.find('.'));
                           return name;
                         });

TEST(ClassifyInbound, AReplyKeepsThePersonsOwnWordsNotTheQuotedMail) {
  auto parsed = ParseMime(Sample("reply_plain.eml"));
  ASSERT_TRUE(parsed.ok());
  const InboundClassification got = ClassifyInbound(*parsed, TimePoint{});
  EXPECT_TRUE(got.excerpt.starts_with("Hi Sam, Yes, we are planning an offsite")) << got.excerpt;
  EXPECT_EQ(got.excerpt.find("retreat"), std::string::npos);
}

TEST(ClassifyInbound, AutoSubmittedNoIsAPerson) {
  auto parsed = ParseMime(
      "From: a@b.example\r\nTo: c@d.example\r\nSubject: Re: hi\r\nAuto-Submitted: no\r\n"
      "Message-ID: <x@b.example>\r\n\r\nSure, let's talk.\r\n");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(ClassifyInbound(*parsed, TimePoint{}).kind, InboundKind::kReply);
}

struct DayCase {
  const char* text;
  const char* back_on;  // "none" when no return day is named
};

// Written on Wednesday 2 December 2026.
const DayCase kDays[] = {
    {"I am back on 12 January.", "2027-01-12"},
    {"Back on January 12th, 2027.", "2027-01-12"},
    {"I will return on Jan 5.", "2027-01-05"},
    {"I'm out of the office until 4 December.", "2026-12-05"},
    {"Out of office till the 4th of December", "2026-12-05"},
    {"Away from 20 December to 3 January inclusive.", "2027-01-04"},
    {"I return to the office on Monday.", "2026-12-07"},
    {"Back tomorrow.", "2026-12-03"},
    {"Back on 2027-01-12.", "2027-01-12"},
    {"I'll be back on 13/01/2027.", "2027-01-13"},
    {"Ich bin ab dem 14.12. nicht im Büro und am 4.1.2027 wieder da.", "2027-01-04"},
    {"Ich bin zurück am 12.01.", "2027-01-12"},
    {"Ich bin bis zum 8. Januar im Urlaub.", "2027-01-09"},
    {"Ab Montag, den 7. Dezember bin ich wieder erreichbar.", "2026-12-07"},
    {"Je serai de retour le 1er février.", "2027-02-01"},
    {"Absent jusqu'au 6 janvier.", "2027-01-07"},
    {"Je serai absent à partir du 20 décembre.", "none"},
    {"I was away on 28 November.", "none"},
    {"Thank you for your email, I will get back to you.", "none"},
    {"Back on 30 November.", "none"},  // just past: not next year's
    {"I may be back soon.", "none"},
    {"Until 31 February nothing.", "none"},
};

TEST(FindReturnDay, ReadsEnglishGermanAndFrenchWordings) {
  for (const DayCase& c : kDays) {
    EXPECT_EQ(DayText(FindReturnDay(c.text, Day(2026, 12, 2))), c.back_on) << c.text;
  }
}

TEST(FindReturnDay, QuotesTheSentenceThatNamesTheDay) {
  auto day =
      FindReturnDay("Hello.\n\nI am on leave and back on\n12 January. Thanks!", Day(2026, 12, 2));
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(day->sentence, "I am on leave and back on 12 January.");
}

TEST(FindDoNotCall, QuotesTheRequestAndIgnoresInvitationsToCall) {
  EXPECT_EQ(FindDoNotCall("Back Monday. Please do not call my mobile. Thanks"),
            "Please do not call my mobile.");
  EXPECT_EQ(FindDoNotCall("Bitte nicht anrufen."), "Bitte nicht anrufen.");
  EXPECT_EQ(FindDoNotCall("Please do not hesitate to call my colleague Bob."), "");
  EXPECT_EQ(FindDoNotCall("Call me on Monday!"), "");
  EXPECT_EQ(FindDoNotCall("Rufen Sie mich gerne an."), "");
}

TEST(OwnText, DropsQuotedLinesAndEverythingFromTheAttributionOn) {
  EXPECT_EQ(OwnText("Yes please.\n> earlier\nMore.\nAm 1. Dez. 2026 schrieb Sam:\n> x\n"),
            "Yes please.\nMore.\n");
  EXPECT_EQ(OwnText("Ok.\n-----Original Message-----\nFrom: x\n"), "Ok.\n");
  EXPECT_EQ(OwnText("Merci.\nLe mar. 1 déc. 2026, Sam a écrit :\nold"), "Merci.\n");
}

}  // namespace
}  // namespace tandem::email
