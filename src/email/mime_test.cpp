#include "email/mime.h"

#include "core/text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

namespace tandem::email {
namespace {

OutgoingEmail Sample() {
  OutgoingEmail email;
  email.from = {"Acme Marketing", "news@acme.example"};
  email.to = {"Dana Reader", "dana@reader.example"};
  email.subject = "Your guide to search marketing";
  email.text = "Hello Dana,\nhere is the guide you asked for.\n";
  email.html = "<p>Hello Dana,</p>\n<p>here is the guide you asked for.</p>\n";
  email.message_id = "0123456789abcdef0123456789abcdef@acme.example";
  email.date = FromUnixMillis(1764658800000);  // 2025-12-02 07:00:00 UTC
  return email;
}

ParsedEmail RoundTrip(const OutgoingEmail& email) {
  auto bytes = BuildMime(email);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  if (!bytes.ok()) return {};
  auto parsed = ParseMime(*bytes);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? *parsed : ParsedEmail{};
}

// Every line ends in CRLF, none is longer than SMTP allows, and no bare CR or LF.
void ExpectSmtpReady(const std::string& bytes) {
  ASSERT_FALSE(bytes.empty());
  EXPECT_TRUE(bytes.ends_with("\r\n"));
  size_t line_start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n') {
      ASSERT_GT(i, 0u);
      EXPECT_EQ(bytes[i - 1], '\r') << "bare LF at byte " << i;
      EXPECT_LE(i + 1 - line_start, 1000u);
      line_start = i + 1;
    } else if (bytes[i] == '\r') {
      ASSERT_LT(i + 1, bytes.size());
      EXPECT_EQ(bytes[i + 1], '\n') << "bare CR at byte " << i;
    }
  }
}

TEST(BuildMimeTest, RoundTripsHeadersAndBothParts) {
  OutgoingEmail email = Sample();
  email.reply_to = "replies@acme.example";
  auto bytes = BuildMime(email);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  ExpectSmtpReady(*bytes);
  EXPECT_NE(bytes->find("MIME-Version: 1.0\r\n"), std::string::npos);
  EXPECT_NE(bytes->find("Date: Tue, 02 Dec 2025 07:00:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(bytes->find("<0123456789abcdef0123456789abcdef@acme.example>"), std::string::npos);

  ParsedEmail parsed = RoundTrip(email);
  EXPECT_EQ(parsed.content_type, "multipart/alternative");
  EXPECT_EQ(parsed.subject, email.subject);
  EXPECT_EQ(parsed.from_mailbox.name, "Acme Marketing");
  EXPECT_EQ(parsed.from_mailbox.address, "news@acme.example");
  ASSERT_EQ(parsed.to_mailboxes.size(), 1u);
  EXPECT_EQ(parsed.to_mailboxes[0].address, "dana@reader.example");
  EXPECT_EQ(parsed.reply_to, "replies@acme.example");
  EXPECT_EQ(parsed.message_id, email.message_id);
  ASSERT_TRUE(parsed.date.has_value());
  EXPECT_EQ(*parsed.date, email.date);
  EXPECT_EQ(parsed.text, email.text);
  EXPECT_EQ(parsed.html, email.html);
  // The plain part comes first: clients show the last alternative they can render.
  EXPECT_LT(bytes->find("text/plain"), bytes->find("text/html"));
}

TEST(BuildMimeTest, EncodesNonAsciiSubjectNamesAndBodies) {
  OutgoingEmail email = Sample();
  email.subject = "Grüße aus Köln — 日本語の件名 ✓";
  email.from.name = "Zoë Ångström";
  email.to.name = "田中 太郎";
  email.text = "Schöne Grüße\nJosé\n";
  email.html = "<p>日本語の本文です。</p>\n";
  auto bytes = BuildMime(email);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  ExpectSmtpReady(*bytes);
  for (unsigned char c : *bytes) ASSERT_LT(c, 0x80) << "the message must be 7-bit clean";
  EXPECT_NE(bytes->find("Subject: =?UTF-8?"), std::string::npos);
  EXPECT_NE(bytes->find("charset=utf-8"), std::string::npos);

  ParsedEmail parsed = RoundTrip(email);
  EXPECT_EQ(parsed.subject, email.subject);
  EXPECT_EQ(parsed.from_mailbox.name, email.from.name);
  ASSERT_EQ(parsed.to_mailboxes.size(), 1u);
  EXPECT_EQ(parsed.to_mailboxes[0].name, email.to.name);
  EXPECT_EQ(parsed.text, email.text);
  EXPECT_EQ(parsed.html, email.html);
}

TEST(BuildMimeTest, DisplayNamesWithQuotesAndCommasStayOneMailbox) {
  OutgoingEmail email = Sample();
  email.from.name = "Acme, Inc. \"Sales\" <sales@evil.example>";
  email.to.name = "O'Brien, Pat; Bcc: victim@evil.example";
  ParsedEmail parsed = RoundTrip(email);
  EXPECT_EQ(parsed.from_mailbox.name, email.from.name);
  EXPECT_EQ(parsed.from_mailbox.address, "news@acme.example");
  ASSERT_EQ(parsed.to_mailboxes.size(), 1u);
  EXPECT_EQ(parsed.to_mailboxes[0].name, email.to.name);
  EXPECT_EQ(parsed.to_mailboxes[0].address, "dana@reader.example");
  EXPECT_EQ(parsed.Header("Bcc"), "");
}

TEST(BuildMimeTest, RefusesHeaderInjection) {
  struct Case {
    const char* field;
    void (*spoil)(OutgoingEmail&);
  };
  const Case cases[] = {
      {"subject", [](OutgoingEmail& e) { e.subject = "Hi\r\nBcc: victim@evil.example"; }},
      {"subject", [](OutgoingEmail& e) { e.subject = "Hi\nBcc: victim@evil.example"; }},
      {"subject", [](OutgoingEmail& e) { e.subject = std::string("Hi\0there", 8); }},
      {"from.name", [](OutgoingEmail& e) { e.from.name = "Acme\r\nBcc: victim@evil.example"; }},
      {"to.name", [](OutgoingEmail& e) { e.to.name = "Dana\rX: y"; }},
      {"to.address", [](OutgoingEmail& e) { e.to.address = "dana@reader.example\r\nBcc: x@y.z"; }},
      {"to.address", [](OutgoingEmail& e) { e.to.address = "dana.reader.example"; }},
      {"to.address", [](OutgoingEmail& e) { e.to.address = "dana @reader.example"; }},
      {"to.address", [](OutgoingEmail& e) { e.to.address = "dana@reader.example, x@y.z"; }},
      {"to.address", [](OutgoingEmail& e) { e.to.address = "<dana@reader.example>"; }},
      {"from.address", [](OutgoingEmail& e) { e.from.address = "@acme.example"; }},
      {"reply_to", [](OutgoingEmail& e) { e.reply_to = "a@b.example\nCc: c@d.example"; }},
      {"message_id", [](OutgoingEmail& e) { e.message_id = "<abc@acme.example>"; }},
      {"message_id", [](OutgoingEmail& e) { e.message_id = "abc@acme.example\r\nX: y"; }},
      {"list_unsubscribe_url",
       [](OutgoingEmail& e) { e.list_unsubscribe_url = "https://a.example/u?t=1>\r\nBcc: x@y.z"; }},
      {"list_unsubscribe_url",
       [](OutgoingEmail& e) {
         e.list_unsubscribe_url = "https://a.example/u?t=1>, <https://evil";
       }},
      {"list_unsubscribe_url",
       [](OutgoingEmail& e) { e.list_unsubscribe_url = "javascript:alert(1)"; }},
      {"list_unsubscribe_mailto",
       [](OutgoingEmail& e) { e.list_unsubscribe_mailto = "mailto:u@a.example\nX: y"; }},
      {"headers[X-Tandem-Send]",
       [](OutgoingEmail& e) {
         e.headers = {{"X-Tandem-Send", "1\r\nBcc: x@y.z"}};
       }},
      {"headers[Bcc]",
       [](OutgoingEmail& e) {
         e.headers = {{"Bcc", "x@y.z"}};
       }},
      {"headers[X-Bad Name]",
       [](OutgoingEmail& e) {
         e.headers = {{"X-Bad Name", "1"}};
       }},
      {"headers[X-A:B]",
       [](OutgoingEmail& e) {
         e.headers = {{"X-A:B", "1"}};
       }},
      {"html", [](OutgoingEmail& e) { e.html = "\xff\xfe not UTF-8"; }},
      {"html/text", [](OutgoingEmail& e) { e.html.clear(), e.text.clear(); }},
  };
  for (const Case& c : cases) {
    OutgoingEmail email = Sample();
    c.spoil(email);
    auto bytes = BuildMime(email);
    ASSERT_FALSE(bytes.ok()) << "accepted a bad " << c.field << ":\n" << *bytes;
    EXPECT_EQ(bytes.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(bytes.status().error_code(), "mime_invalid_field");
    EXPECT_TRUE(bytes.status().message().starts_with(c.field))
        << c.field << " not named in: " << bytes.status().message();
  }
}

TEST(BuildMimeTest, ListUnsubscribeIsExactlyWhatRfc8058Asks) {
  OutgoingEmail email = Sample();
  email.list_unsubscribe_url =
      "https://tandem.acme.example/u/v1.eyJsZWFkIjoiMTIzNDU2Nzg5MCIsInAiOiJtYXJrZXRpbmcifQ.sig";
  email.list_unsubscribe_mailto = "mailto:unsubscribe@acme.example?subject=unsubscribe";
  auto bytes = BuildMime(email);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  ExpectSmtpReady(*bytes);
  // Written as given: a URL turned into encoded-words would be no URL at all.
  EXPECT_NE(bytes->find("List-Unsubscribe: <" + email.list_unsubscribe_url + ">,\r\n <" +
                        email.list_unsubscribe_mailto + ">\r\n"),
            std::string::npos)
      << *bytes;
  EXPECT_NE(bytes->find("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"),
            std::string::npos);
  ParsedEmail parsed = RoundTrip(email);
  EXPECT_EQ(parsed.Header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
  std::string value = parsed.Header("List-Unsubscribe");
  EXPECT_NE(value.find("<" + email.list_unsubscribe_url + ">"), std::string::npos) << value;
  EXPECT_NE(value.find("<" + email.list_unsubscribe_mailto + ">"), std::string::npos) << value;
}

TEST(BuildMimeTest, NoOneClickPostWithoutAnHttpsUrl) {
  OutgoingEmail email = Sample();
  email.list_unsubscribe_mailto = "mailto:unsubscribe@acme.example";
  ParsedEmail parsed = RoundTrip(email);
  EXPECT_EQ(parsed.Header("List-Unsubscribe"), "<mailto:unsubscribe@acme.example>");
  EXPECT_EQ(parsed.Header("List-Unsubscribe-Post"), "");
  EXPECT_EQ(RoundTrip(Sample()).Header("List-Unsubscribe"), "");
}

TEST(BuildMimeTest, ExtraHeadersKeepTheirOrderAndValue) {
  OutgoingEmail email = Sample();
  email.headers = {{"X-Tandem-Send", "send_01JD5Q0Z7Y8X"},
                   {"Feedback-ID", "campaign-42:broadcast:acme"},
                   {"X-Note", "Grüße"}};
  ParsedEmail parsed = RoundTrip(email);
  EXPECT_EQ(parsed.Header("x-tandem-send"), "send_01JD5Q0Z7Y8X");
  EXPECT_EQ(parsed.Header("Feedback-ID"), "campaign-42:broadcast:acme");
  EXPECT_EQ(parsed.Header("X-Note"), "Grüße");
}

TEST(BuildMimeTest, NormalizesLineEndsAndKeepsLeadingDotsAndLongLines) {
  OutgoingEmail email = Sample();
  std::string long_line(3000, 'x');
  email.text = "one\r\ntwo\rthree\n.\n..dots\nFrom here\n" + long_line + "\n";
  email.html = "<p>" + long_line + "</p>";
  auto bytes = BuildMime(email);
  ASSERT_TRUE(bytes.ok());
  ExpectSmtpReady(*bytes);
  ParsedEmail parsed = RoundTrip(email);
  EXPECT_EQ(parsed.text, "one\ntwo\nthree\n.\n..dots\nFrom here\n" + long_line + "\n");
  EXPECT_EQ(parsed.html, email.html);
}

TEST(BuildMimeTest, OneBodyGivesASinglePart) {
  OutgoingEmail email = Sample();
  email.html.clear();
  ParsedEmail parsed = RoundTrip(email);
  EXPECT_EQ(parsed.content_type, "text/plain");
  EXPECT_EQ(parsed.text, email.text);
  EXPECT_EQ(parsed.html, "");
}

TEST(NewMessageIdTest, IsRandomHexAtTheDomain) {
  std::string a = NewMessageId("acme.example");
  std::string b = NewMessageId("acme.example");
  EXPECT_NE(a, b);
  EXPECT_TRUE(std::regex_match(a, std::regex("[0-9a-f]{32}@acme\\.example"))) << a;
  EXPECT_TRUE(IsValidMailAddress(a));
}

TEST(ParseMimeTest, ReadsADeliveryReport) {
  const std::string report =
      "From: MAILER-DAEMON@mx.example\r\n"
      "To: news@acme.example\r\n"
      "Subject: Undelivered Mail Returned to Sender\r\n"
      "Message-ID: <bounce-1@mx.example>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n"
      "\r\n"
      "--b1\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
      "Your message could not be delivered to J=F6rg.\r\n"
      "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
      "Reporting-MTA: dns; mx.example\r\n\r\n"
      "Final-Recipient: rfc822; gone@reader.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
      "--b1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
      "From: news@acme.example\r\nMessage-ID: <abc123@acme.example>\r\nSubject: Hi\r\n"
      "--b1--\r\n";
  auto parsed = ParseMime(report);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->content_type, "multipart/report");
  // The CRLF before a boundary belongs to the boundary (RFC 2046).
  EXPECT_EQ(parsed->text, "Your message could not be delivered to Jörg.");
  EXPECT_NE(parsed->delivery_status.find("Status: 5.1.1"), std::string::npos);
  EXPECT_EQ(parsed->original_message_id, "abc123@acme.example");
  EXPECT_EQ(parsed->message_id, "bounce-1@mx.example");
}

TEST(ParseMimeTest, ReadsThreadingHeaders) {
  auto parsed = ParseMime(
      "From: Dana <dana@reader.example>\r\nTo: news@acme.example\r\n"
      "Subject: =?UTF-8?B?UmU6IEdyw7zDn2U=?=\r\n"
      "In-Reply-To: <abc123@acme.example>\r\n"
      "References: <root@acme.example> <abc123@acme.example>\r\n\r\nThanks!\r\n");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->subject, "Re: Grüße");
  EXPECT_EQ(parsed->in_reply_to, "abc123@acme.example");
  EXPECT_EQ(parsed->references,
            (std::vector<std::string>{"root@acme.example", "abc123@acme.example"}));
  EXPECT_EQ(parsed->text, "Thanks!\n");
  EXPECT_EQ(parsed->from, "Dana <dana@reader.example>");
}

TEST(ParseMimeTest, SurvivesDeeplyNestedParts) {
  std::string bytes = "Subject: deep\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n";
  for (int i = 1; i < 100000; ++i) {
    bytes += "--b" + std::to_string(i - 1) + "\r\nContent-Type: multipart/mixed; boundary=b" +
             std::to_string(i) + "\r\n\r\n";
  }
  bytes += "--b99999\r\nContent-Type: text/plain\r\n\r\nburied\r\n";
  auto parsed = ParseMime(bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->subject, "deep");
  EXPECT_EQ(parsed->text, "");  // too deep to be read
}

TEST(ValidUtf8Test, KeepsWellFormedTextAndReplacesEveryBadByte) {
  EXPECT_EQ(ValidUtf8("Caf\xC3\xA9 \xF0\x9F\x98\x80"), "Caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(ValidUtf8("Caf\xE9!"), "Caf\xEF\xBF\xBD!");                          // Latin-1
  EXPECT_EQ(ValidUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  EXPECT_EQ(ValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(ValidUtf8("\xF4\x90\x80\x80").size(), 12u);                          // past U+10FFFF
  EXPECT_EQ(ValidUtf8("ab\xE2\x82"), "ab\xEF\xBF\xBD\xEF\xBF\xBD");              // cut short
  EXPECT_EQ(ValidUtf8(""), "");
}

TEST(ParseMimeTest, EveryTextItReadsIsValidUtf8) {
  // 8-bit Latin-1 in the headers, and a body that says UTF-8 but is not.
  auto parsed = ParseMime(
      "From: Jos\xE9 <jose@example.com>\r\nTo: a@example.com\r\nSubject: Caf\xE9\r\n"
      "Message-ID: <m\xE9@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
      "Gr\xFC\xDF"
      "e, \xC3\xA9t\xE9\r\n");
  ASSERT_TRUE(parsed.ok());
  const nlohmann::json all = {parsed->subject,
                              parsed->from,
                              parsed->text,
                              parsed->message_id,
                              parsed->from_mailbox.name,
                              parsed->headers[0].second};
  EXPECT_NO_THROW(all.dump());                                   // strict: throws on invalid UTF-8
  EXPECT_NE(parsed->text.find("\xC3\xA9t"), std::string::npos);  // the valid part is kept
}

TEST(ParseMimeTest, RefusesWhatIsNoMessage) {
  EXPECT_FALSE(ParseMime("").ok());
  EXPECT_EQ(ParseMime(std::string(65u << 20, 'a')).status().code(), StatusCode::kTooLarge);
}

}  // namespace
}  // namespace tandem::email
