// ClassifyInbound: reports (complaints, delivery status), bounces that are not
// reports, automatic replies, replies. The text readers are in inbound_text.cpp.
#include "email/inbound_classify.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/text.h"
#include "email/plain_text.h"
#include "identity/email.h"

namespace tandem::email {
namespace {

constexpr size_t kMaxExcerpt = 500;
constexpr size_t kMaxNamedAddresses = 10;
constexpr size_t kBounceTextBytes = 8 * 1024;  // of a bounce's own text, read for its cause

// "Name: value" fields of a report part, per block (blocks are separated by blank
// lines: the message's fields, then one block per recipient). Names lower-cased;
// continuation lines folded in.
using Fields = std::vector<std::pair<std::string, std::string>>;

std::vector<Fields> ReportBlocks(std::string_view text) {
  std::vector<Fields> blocks(1);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (TrimSpace(line).empty()) {
      if (!blocks.back().empty()) blocks.emplace_back();
      continue;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !blocks.back().empty()) {
      blocks.back().back().second += " " + std::string(TrimSpace(line));
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    blocks.back().emplace_back(LowerAscii(TrimSpace(line.substr(0, colon))),
                               std::string(TrimSpace(line.substr(colon + 1))));
  }
  return blocks;
}

std::string Field(const Fields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return value;
  }
  return {};
}

// "rfc822; ana@example.com" → "ana@example.com" (normalized; "" when not an address).
std::string TypedAddress(std::string_view value) {
  const size_t semi = value.find(';');
  if (semi != std::string_view::npos) value = value.substr(semi + 1);
  value = TrimSpace(value);
  if (value.starts_with('<') && value.ends_with('>')) value = value.substr(1, value.size() - 2);
  return NormalizeEmail(value);
}

// An RFC 3463 status ("5.1.1") at the start of `text`, or "".
std::string StatusCode(std::string_view text) {
  text = TrimSpace(text);
  if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') {
    return {};
  }
  size_t i = 2, dots = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
    if (text[i] == '.') ++dots;
    ++i;
  }
  if (dots != 1 || text[i - 1] == '.') return {};
  return std::string(text.substr(0, i));
}

// Hard or soft by a status: 5.x.x hard, but a full mailbox (x.2.2) soft; 4.x.x soft.
InboundKind KindOfStatus(std::string_view status) {
  if (status.starts_with("5.") && !status.starts_with("5.2.2")) return InboundKind::kHardBounce;
  return InboundKind::kSoftBounce;
}

void AddReference(std::vector<std::string>& refs, std::string id) {
  if (id.empty() || std::find(refs.begin(), refs.end(), id) != refs.end()) return;
  refs.push_back(std::move(id));
}

// RFC 3464: the recipient that failed (or was delayed) decides.
void ReadDeliveryStatus(std::string_view report, InboundClassification& out) {
  const std::vector<Fields> blocks = ReportBlocks(report);
  const Fields* chosen = nullptr;
  for (size_t i = 1; i < blocks.size(); ++i) {
    const std::string action = LowerAscii(Field(blocks[i], "action"));
    if (action == "failed") {
      chosen = &blocks[i];
      break;
    }
    if (chosen == nullptr && (action == "delayed" || !Field(blocks[i], "status").empty())) {
      chosen = &blocks[i];
    }
  }
  if (chosen == nullptr) {
    // A report without a per-recipient block says nothing permanent.
    out.kind = InboundKind::kSoftBounce;
    out.why = "delivery-status report without a recipient";
    return;
  }
  const std::string action = LowerAscii(Field(*chosen, "action"));
  out.status = StatusCode(Field(*chosen, "status"));
  out.diagnostic = HeaderText(Field(*chosen, "diagnostic-code"), 500);
  out.recipient = TypedAddress(Field(*chosen, "final-recipient"));
  if (out.recipient.empty()) out.recipient = TypedAddress(Field(*chosen, "original-recipient"));
  if (action == "delivered" || action == "relayed" || action == "expanded") {
    out.kind = InboundKind::kAutoReply;
    out.why = fmt::format("delivery-status report: Action: {}", action);
    return;
  }
  out.kind = action == "delayed" ? InboundKind::kSoftBounce : KindOfStatus(out.status);
  out.why =
      fmt::format("delivery-status report: Action: {}, Status: {}",
                  action.empty() ? "(none)" : action, out.status.empty() ? "(none)" : out.status);
}

void ReadFeedbackReport(std::string_view report, InboundClassification& out) {
  const std::vector<Fields> blocks = ReportBlocks(report);
  for (const Fields& block : blocks) {
    if (out.feedback_type.empty()) out.feedback_type = LowerAscii(Field(block, "feedback-type"));
    if (out.recipient.empty()) out.recipient = TypedAddress(Field(block, "original-rcpt-to"));
  }
  out.kind = InboundKind::kComplaint;
  out.why = fmt::format("feedback report (ARF): Feedback-Type: {}",
                        out.feedback_type.empty() ? "(none)" : out.feedback_type);
}

bool ContainsAny(std::string_view lower, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view n) { return lower.find(n) != std::string_view::npos; });
}

// A bounce that is not a report: sent by the mail system, or saying so in its subject.
bool LooksLikeBounce(const ParsedEmail& email) {
  const std::string local =
      LowerAscii(email.from_mailbox.address.substr(0, email.from_mailbox.address.find('@')));
  if (local == "mailer-daemon" || local == "postmaster" || local == "mail-daemon" ||
      local == "mailerdaemon") {
    return true;
  }
  if (!email.Header("X-Failed-Recipients").empty()) return true;
  const std::string subject = LowerAscii(email.subject);
  return ContainsAny(
      subject,
      {"undeliverable", "undelivered mail", "delivery status notification", "mail delivery failed",
       "returned mail", "delivery failure", "failure notice", "delivery has failed", "unzustellbar",
       "nicht zustellbar", "non remis", "non distribuable", "échec de la remise",
       "message not delivered", "delivery incomplete"});
}

// The first RFC 3463 status in `lower` ("5.1.1"), else one built from the first SMTP
// reply code ("550" → "5.0.0"); "" when there is neither.
std::string FirstStatus(std::string_view lower) {
  for (size_t i = 0; i + 5 <= lower.size(); ++i) {
    const char c = lower[i];
    if ((c == '4' || c == '5') && lower[i + 1] == '.' &&
        (i == 0 || !std::isalnum(static_cast<unsigned char>(lower[i - 1])))) {
      std::string status = StatusCode(lower.substr(i, 12));
      if (!status.empty()) return status;
    }
  }
  for (size_t i = 0; i + 3 <= lower.size(); ++i) {
    const char c = lower[i];
    if ((c == '4' || c == '5') && std::isdigit(static_cast<unsigned char>(lower[i + 1])) &&
        std::isdigit(static_cast<unsigned char>(lower[i + 2])) &&
        (i == 0 || !std::isalnum(static_cast<unsigned char>(lower[i - 1]))) &&
        (i + 3 == lower.size() || lower[i + 3] == ' ' || lower[i + 3] == '-')) {
      return fmt::format("{}.0.0", c);
    }
  }
  return {};
}

// Every address in `text` (bare or in angle brackets), at most kMaxNamedAddresses.
std::vector<std::string> AddressesIn(std::string_view text) {
  std::vector<std::string> out;
  for (size_t at = text.find('@'); at != std::string_view::npos && out.size() < kMaxNamedAddresses;
       at = text.find('@', at + 1)) {
    auto is_address_byte = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ||
             c == '+' || c == '\'';
    };
    size_t begin = at, end = at + 1;
    while (begin > 0 && is_address_byte(text[begin - 1])) --begin;
    while (end < text.size() && is_address_byte(text[end])) ++end;
    while (end > at + 1 && text[end - 1] == '.') --end;
    std::string address = NormalizeEmail(text.substr(begin, end - begin));
    if (!address.empty() && std::find(out.begin(), out.end(), address) == out.end()) {
      out.push_back(std::move(address));
    }
  }
  return out;
}

void ReadBounceText(const ParsedEmail& email, std::string_view own, InboundClassification& out) {
  const std::string lower = LowerAscii(own.substr(0, kBounceTextBytes));
  out.status = FirstStatus(lower);
  out.recipient = NormalizeEmail(email.Header("X-Failed-Recipients"));
  out.named_addresses = AddressesIn(own.substr(0, kBounceTextBytes));
  const bool permanent_words = ContainsAny(
      lower, {"user unknown", "unknown user", "no such user", "does not exist", "doesn't exist",
              "mailbox unavailable", "mailbox not found", "recipient address rejected",
              "invalid recipient", "address rejected", "unrouteable address", "no mailbox here",
              "account has been disabled", "permanent error", "permanently", "existiert nicht",
              "unbekannter empfänger", "n'existe pas", "introuvable"});
  const bool transient_words =
      ContainsAny(lower, {"mailbox full", "over quota", "quota exceeded", "temporar", "delayed",
                          "will retry", "will be retried", "try again later", "deferred",
                          "greylist", "verzögert", "retardé"}) ||
      ContainsAny(LowerAscii(email.subject), {"delay", "warning"});
  if (!out.status.empty() && !transient_words) {
    out.kind = KindOfStatus(out.status);
  } else if (permanent_words && !transient_words) {
    out.kind = InboundKind::kHardBounce;
  } else {
    out.kind = InboundKind::kSoftBounce;
  }
  out.why = fmt::format("bounce text{}{}", out.status.empty() ? "" : ", status " + out.status,
                        permanent_words && !transient_words ? ", permanent wording" : "");
  // The line naming the failure, for the record.
  if (const size_t at = out.status.empty() ? std::string::npos : lower.find(out.status);
      at != std::string::npos) {
    const size_t line = lower.rfind('\n', at);
    out.diagnostic = HeaderText(own.substr(line == std::string::npos ? 0 : line + 1, 500), 300);
  }
}

// The Message-IDs of a returned message copied into a bounce's text ("Message-ID: <…>"
// lines, as Exim and qmail include the original).
void AddCopiedMessageIds(std::string_view text, InboundClassification& out) {
  const std::string lower = LowerAscii(text.substr(0, 64 * 1024));
  for (size_t at = lower.find("message-id:"); at != std::string::npos;
       at = lower.find("message-id:", at + 1)) {
    const size_t open = lower.find('<', at);
    const size_t close = open == std::string::npos ? open : lower.find('>', open);
    if (close == std::string::npos || close - at > 300) continue;
    AddReference(out.references, std::string(text.substr(open + 1, close - open - 1)));
  }
}

// RFC 3834 and the headers mail programs set on automatic answers; "" when none says so.
std::string AutoReplyHeader(const ParsedEmail& email) {
  const std::string auto_submitted = LowerAscii(TrimSpace(email.Header("Auto-Submitted")));
  if (!auto_submitted.empty() && auto_submitted != "no") {
    return "Auto-Submitted: " + auto_submitted;
  }
  for (const char* name : {"X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Autogenerated",
                           "X-Auto-Response-Suppress"}) {
    std::string value = std::string(TrimSpace(email.Header(name)));
    if (!value.empty() && !EqualsNoCase(value, "no")) return fmt::format("{}: {}", name, value);
  }
  const std::string precedence = LowerAscii(TrimSpace(email.Header("Precedence")));
  if (precedence == "auto_reply") return "Precedence: auto_reply";
  if (LowerAscii(TrimSpace(email.Header("X-Precedence"))) == "auto_reply") {
    return "X-Precedence: auto_reply";
  }
  return {};
}

bool AutoReplySubject(std::string_view subject) {
  const std::string lower = LowerAscii(subject);
  return ContainsAny(
      lower,
      {"out of office", "out of the office", "automatic reply", "auto reply", "auto-reply",
       "autoreply", "auto response", "abwesenheitsnotiz", "automatische antwort", "abwesend",
       "réponse automatique", "reponse automatique", "absence du bureau", "absent du bureau",
       "absente du bureau", "automatisch antwoord", "respuesta automática", "risposta automatica"});
}

// The person's own text: the text part, else the HTML's text; without quoted mail.
std::string PersonsText(const ParsedEmail& email) {
  if (!email.text.empty()) return OwnText(email.text);
  if (!email.html.empty()) return OwnText(PlainTextFromHtml(email.html));
  return {};
}

std::chrono::year_month_day DayOf(TimePoint t) {
  return std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(t));
}

void AddReferences(const ParsedEmail& email, InboundClassification& out) {
  AddReference(out.references, email.original_message_id);
  AddReference(out.references, email.in_reply_to);
  for (auto it = email.references.rbegin(); it != email.references.rend(); ++it) {
    AddReference(out.references, *it);
  }
}

}  // namespace

std::string_view InboundKindName(InboundKind kind) {
  switch (kind) {
    case InboundKind::kReply:
      return "reply";
    case InboundKind::kHardBounce:
      return "hard_bounce";
    case InboundKind::kSoftBounce:
      return "soft_bounce";
    case InboundKind::kAutoReply:
      return "auto_reply";
    case InboundKind::kComplaint:
      return "complaint";
  }
  return "reply";
}

std::optional<InboundKind> ParseInboundKind(std::string_view name) {
  for (InboundKind kind : {InboundKind::kReply, InboundKind::kHardBounce, InboundKind::kSoftBounce,
                           InboundKind::kAutoReply, InboundKind::kComplaint}) {
    if (InboundKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

InboundClassification ClassifyInbound(const ParsedEmail& email, TimePoint received) {
  InboundClassification out;
  AddReferences(email, out);
  if (email.report_type == "feedback-report" || !email.feedback_report.empty()) {
    ReadFeedbackReport(email.feedback_report, out);
    return out;
  }
  if (email.report_type == "delivery-status" || !email.delivery_status.empty()) {
    ReadDeliveryStatus(email.delivery_status, out);
    return out;
  }
  if (LooksLikeBounce(email)) {
    const std::string text = email.text.empty() ? PlainTextFromHtml(email.html) : email.text;
    ReadBounceText(email, text, out);
    AddCopiedMessageIds(text, out);
    return out;
  }
  const std::string own = PersonsText(email);
  out.excerpt = HeaderText(own, kMaxExcerpt);
  out.do_not_call = FindDoNotCall(own);
  const std::string header = AutoReplyHeader(email);
  if (!header.empty() || AutoReplySubject(email.subject)) {
    out.kind = InboundKind::kAutoReply;
    out.why = header.empty() ? "subject: " + HeaderText(email.subject, 100) : header;
    out.back_on = FindReturnDay(own, DayOf(email.date.value_or(received)));
    return out;
  }
  out.kind = InboundKind::kReply;
  out.why = "written by a person";
  return out;
}

}  // namespace tandem::email
