// What a received email is, as an answer to the mail Tandem sent: a person's reply, a
// hard or soft bounce, an automatic reply (out of office, vacation), or a spam
// complaint; and what it says that changes what Tandem does next — the day the person
// is back, a request not to be called.
//
// Pure: a parsed message (email/mime.h) in, a classification out. No store, no clock:
// relative dates ("back on Monday", "12 January") are read against the message's own
// Date, or against `received` when it has none. Thread-safe.
//
// What decides the kind, in this order (the first that holds):
//   complaint    multipart/report; report-type=feedback-report (ARF, RFC 5965)
//   bounce       multipart/report; report-type=delivery-status (RFC 3464): the failed
//                recipient's Status 5.x.x is hard, 4.x.x or Action: delayed is soft;
//                or a bounce that is not a report (from MAILER-DAEMON or postmaster, or
//                a subject such as "Undeliverable:", "Mail delivery failed",
//                "Unzustellbar", "Non remis"), hard or soft by the status or SMTP code in
//                its text or by its wording — soft when nothing says it is permanent
//   auto_reply   RFC 3834 Auto-Submitted (anything but "no"), X-Autoreply,
//                X-Autorespond, Precedence: auto_reply, X-Auto-Response-Suppress, or
//                a subject such as "Out of Office", "Automatic reply",
//                "Abwesenheitsnotiz", "Réponse automatique"
//   reply        anything else a person wrote
// A mailbox-full status (X.2.2) is soft even with a 5: it is a persistent but
// transient condition (RFC 3463), and the address is still the person's.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "email/mime.h"

namespace tandem::email {

enum class InboundKind { kReply, kHardBounce, kSoftBounce, kAutoReply, kComplaint };
// reply | hard_bounce | soft_bounce | auto_reply | complaint
std::string_view InboundKindName(InboundKind kind);
std::optional<InboundKind> ParseInboundKind(std::string_view name);

// A day named in a message: the first day a person is back, with the sentence that
// names it (whitespace collapsed, at most 300 bytes).
struct NamedDay {
  std::chrono::year_month_day day;
  std::string sentence;
};

struct InboundClassification {
  InboundKind kind = InboundKind::kReply;
  std::string why;  // what decided it: "Auto-Submitted: auto-replied", "Status: 5.1.1", …

  // Bounces: the RFC 3463 status ("5.1.1"; "" when the bounce gives none), the
  // server's words, and the address that failed as the bounce names it ("" when it
  // names none). Complaints: the address that complained, if the report says.
  std::string status;
  std::string diagnostic;
  std::string recipient;
  // Every address a bounce that is not a report names in its own text (at most 10):
  // one of them is the recipient, whichever the wording.
  std::vector<std::string> named_addresses;
  std::string feedback_type;  // complaints: abuse, fraud, …

  // Replies and automatic replies, read in the person's own text (above any quoted
  // mail): the first day back (automatic replies only), and the sentence asking not to
  // be called ("" when none does).
  std::optional<NamedDay> back_on;
  std::string do_not_call;
  // The start of the person's own text, for the timeline (at most 500 bytes).
  std::string excerpt;

  // The Message-IDs the message answers, the most telling first: the returned
  // message's (bounces, complaints), then In-Reply-To, then References newest first;
  // without duplicates.
  std::vector<std::string> references;
};

InboundClassification ClassifyInbound(const ParsedEmail& email, TimePoint received);

// The parts ClassifyInbound reads text with (email/inbound_text.cpp), for tests.
//
// `text` without what it quotes: lines beginning with '>', and everything from an
// attribution line ("On … wrote:", "Am … schrieb …:", "Le … a écrit :") or an
// "Original Message" separator (or an Outlook From:/Sent: block) on. At most 16 KB.
std::string OwnText(std::string_view text);
// The first day back an out-of-office text names, read against `sent` (the message's
// day): a date after "back on", "return(ing) on", "zurück am", "wieder … ab",
// "de retour le", … is the first day back; one after "until", "bis (zum)",
// "jusqu'au", … is the last day away. Dates: "12 January", "January 12th", "12.01.",
// "12.01.2027", "2027-01-12", "12 janvier", "Monday" (the next one), in English,
// German and French. A date without a year is the next such day (one up to 31 days
// past is taken as past, not next year's). Of several, the latest; nullopt when none
// is after `sent` and within a year.
std::optional<NamedDay> FindReturnDay(std::string_view text, std::chrono::year_month_day sent);
// The sentence asking not to be called ("please do not call", "bitte nicht anrufen",
// "merci de ne pas m'appeler", …), or "".
std::string FindDoNotCall(std::string_view text);

}  // namespace tandem::email
