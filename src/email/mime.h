// MIME: the bytes of one outgoing email, and the reading of any received one (GMime 3).
//
// BuildMime turns a rendered email into the message handed to SMTP DATA: UTF-8,
// multipart/alternative (text, then HTML), RFC 2047 subject and display names, CRLF
// line ends. Every field is hostile: a header value carrying CR, LF or NUL, or an
// address that is not one, is refused with an InvalidArgument naming the field, so
// nothing a recipient or a template supplies can add a header. ParseMime reads a
// message back (tests, and bounces and replies when they come in).
//
// Thread-safe: GMime is initialized once, on first use, from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace tandem::email {

struct MailAddress {
  std::string name;     // display name, any UTF-8 ("" for none)
  std::string address;  // "local@domain", ASCII (dot-atom on both sides)
};

struct OutgoingEmail {
  MailAddress from;
  MailAddress to;
  std::string reply_to;  // an address, or "" for none
  std::string subject;   // UTF-8; encoded per RFC 2047 when not plain ASCII
  std::string html;      // UTF-8; either body may be empty, not both
  std::string text;
  // "random@domain", without angle brackets: fixed by the caller before the first
  // attempt, so a retried send is recognisably the same message.
  std::string message_id;
  TimePoint date;
  // When set: "List-Unsubscribe: <url>" and "List-Unsubscribe-Post:
  // List-Unsubscribe=One-Click" (RFC 8058: one HTTPS URL a mailbox provider may POST
  // to). The URL must be http(s), printable ASCII, without spaces, commas or <>.
  std::string list_unsubscribe_url;
  // Optional second List-Unsubscribe entry, a full "mailto:" URL.
  std::string list_unsubscribe_mailto;
  // Extra headers (X-Tandem-Send, Feedback-ID, ...), in order. A name is printable
  // ASCII without ':'; the headers BuildMime sets itself cannot be given here.
  std::vector<std::pair<std::string, std::string>> headers;
};

// The message, CRLF line ends, ready for SMTP DATA (the transport does the
// dot-stuffing). Bodies are normalized to CRLF line ends (a lone CR or LF is a line
// end), then encoded as GMime judges best for 7-bit transport: 7bit, quoted-printable
// or base64. InvalidArgument ("mime_invalid_field") naming the field for a bad one.
StatusOr<std::string> BuildMime(const OutgoingEmail& email);

// A fresh Message-ID for `domain`: 32 hexadecimal digits from libsodium's CSPRNG,
// "@", the domain; without angle brackets.
std::string NewMessageId(std::string_view domain);

// Whether `address` is one BuildMime accepts ("local@domain", dot-atom ASCII, at most
// 254 characters). A Message-ID ("left@right") is checked the same way.
bool IsValidMailAddress(std::string_view address);

struct ParsedEmail {
  // Every top-level header in order, names as written, values unfolded and decoded.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string subject;                    // decoded
  std::string from, to;                   // decoded, as "Name <address>, ..."
  MailAddress from_mailbox;               // the first From mailbox
  std::vector<MailAddress> to_mailboxes;  // every To mailbox (groups flattened)
  std::string reply_to;                   // the first Reply-To address, or ""
  std::string message_id, in_reply_to;    // without angle brackets
  std::vector<std::string> references;    // without angle brackets, in order
  std::optional<TimePoint> date;
  std::string content_type;  // the top-level type, e.g. "multipart/alternative"
  // A multipart/report's report-type parameter, lower-cased ("delivery-status",
  // "feedback-report"); "" for other messages.
  std::string report_type;
  // The first text/plain and text/html parts that are not attachments, decoded from
  // their transfer encoding and charset to UTF-8, with LF line ends.
  std::string text, html;
  // A delivery report (multipart/report): the message/delivery-status part's text,
  // and the Message-ID of the message it reports on, from the returned message or
  // its headers (text/rfc822-headers).
  std::string delivery_status;
  std::string original_message_id;
  // A spam complaint (ARF, RFC 5965): the message/feedback-report part's text.
  std::string feedback_report;

  // The first header named `name` (case-insensitive), decoded; "" when absent.
  std::string Header(std::string_view name) const;
};

// InvalidArgument ("mime_unparseable") when `bytes` is not a message; TooLarge
// ("mime_too_large") over 64 MiB.
StatusOr<ParsedEmail> ParseMime(std::string_view bytes);

}  // namespace tandem::email
