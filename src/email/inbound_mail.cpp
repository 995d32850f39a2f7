#include "email/inbound_mail.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>

#include "core/random.h"
#include "core/text.h"
#include "core/time_format.h"
#include "identity/email.h"
#include "leads/lead_json.h"

namespace tandem {
namespace {

using email::InboundClassification;
using email::InboundKind;
using nlohmann::json;

bool IsReport(InboundKind kind) {
  return kind == InboundKind::kHardBounce || kind == InboundKind::kSoftBounce ||
         kind == InboundKind::kComplaint;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  std::string hex(2 * sizeof digest, '0');
  sodium_bin2hex(hex.data(), hex.size() + 1, digest, sizeof digest);
  return hex;
}

std::string DayText(std::chrono::year_month_day day) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(day.year()),
                     static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
}

TimePoint StartOf(std::chrono::year_month_day day) {
  return TimePoint(std::chrono::sys_days(day).time_since_epoch());
}

const char* LogKindOf(InboundKind kind) {
  switch (kind) {
    case InboundKind::kReply:
      return "email_replied";
    case InboundKind::kAutoReply:
      return "email_auto_reply";
    case InboundKind::kHardBounce:
      return "email_bounced";
    case InboundKind::kSoftBounce:
      return "email_soft_bounced";
    case InboundKind::kComplaint:
      return "email_complaint";
  }
  return "email_replied";
}

// Whether a send can be what `c` answers: a report names the send's address (or
// none); anything else comes from it. "" when it can, else why not.
std::string Distrust(const InboundClassification& c, const EmailSend& send,
                     const std::string& from) {
  const std::string to = NormalizeEmail(send.to_address);
  if (IsReport(c.kind)) {
    if (!c.recipient.empty() && c.recipient != to) {
      return fmt::format("{} names {} but Tandem's {} went to {}", InboundKindName(c.kind),
                         c.recipient, send.uid, to);
    }
    if (c.recipient.empty() && !c.named_addresses.empty() &&
        std::find(c.named_addresses.begin(), c.named_addresses.end(), to) ==
            c.named_addresses.end()) {
      return fmt::format("the bounce does not name {}, where Tandem's {} went", to, send.uid);
    }
    return {};
  }
  if (from != to) {
    return fmt::format("it comes from {} but Tandem's {} went to {}",
                       from.empty() ? "nobody" : from, send.uid, to);
  }
  return {};
}

// What an applied message counts for in the experiments that exposed its person (a
// complaint's unsubscribe counts where the unsubscribe is applied).
std::optional<SideMetric> SideMetricOf(InboundKind kind) {
  switch (kind) {
    case InboundKind::kReply:
      return SideMetric::kReplies;
    case InboundKind::kHardBounce:
      return SideMetric::kBounces;
    case InboundKind::kComplaint:
      return SideMetric::kComplaints;
    default:
      return std::nullopt;
  }
}

}  // namespace

InboundPlan PlanInbound(const InboundClassification& c, const InboundMatch& match,
                        int64_t soft_bounces, const InboundConfig& config) {
  InboundPlan plan;
  const bool matched = match.send.has_value() || match.lead_id.has_value();
  plan.status = matched ? "applied" : (match.untrusted.empty() ? "unmatched" : "untrusted");
  if (!matched) return plan;
  if (match.send) plan.address = NormalizeEmail(match.send->to_address);
  plan.log_kind = match.lead_id ? LogKindOf(c.kind) : "";
  switch (c.kind) {
    case InboundKind::kHardBounce:
      plan.suppress = "bounce";
      plan.suppress_detail = fmt::format("{} {}", c.status, c.diagnostic);
      plan.send_bounced = true;
      break;
    case InboundKind::kSoftBounce:
      if (soft_bounces + 1 >= config.soft_bounce_limit) {
        plan.suppress = "bounce";
        plan.suppress_detail =
            fmt::format("{} soft bounces within {} days; the last: {} {}", soft_bounces + 1,
                        config.soft_bounce_window_days, c.status, c.diagnostic);
      }
      break;
    case InboundKind::kComplaint:
      plan.suppress = "complaint";
      plan.suppress_detail =
          fmt::format("spam complaint ({})", c.feedback_type.empty() ? "abuse" : c.feedback_type);
      plan.unsubscribe = match.lead_id.has_value();
      break;
    case InboundKind::kAutoReply:
      if (c.back_on) plan.away_until = c.back_on->day;
      plan.do_not_call = c.do_not_call;
      break;
    case InboundKind::kReply:
      plan.do_not_call = c.do_not_call;
      break;
  }
  // A report about an address acts only through the send that went there.
  if (IsReport(c.kind) && !match.send) plan.suppress.reset();
  if (plan.suppress) plan.suppress_detail = HeaderText(plan.suppress_detail, 300);
  return plan;
}

InboundMail::InboundMail(InboundStore& store, const LeadEngine& engine, InboundConfig config,
                         std::vector<WebhookConfig> webhooks)
    : store_(store), engine_(engine), config_(std::move(config)), outbox_(std::move(webhooks)) {}

StatusOr<InboundMatch> InboundMail::Match(InboundTxn& txn, const email::ParsedEmail& email,
                                          const InboundClassification& c) const {
  InboundMatch match;
  const std::string from = NormalizeEmail(email.from_mailbox.address);
  for (const std::string& id : c.references) {
    TANDEM_ASSIGN_OR_RETURN(std::optional<EmailSend> send, txn.FindSendByMessageId(id));
    if (!send) continue;
    std::string why = Distrust(c, *send, from);
    if (!why.empty()) {
      if (match.untrusted.empty()) match.untrusted = std::move(why);
      continue;
    }
    match.matched_by = "message_id";
    if (IsToLead(send->kind) && send->lead_id) {
      TANDEM_ASSIGN_OR_RETURN(match.lead_id, txn.ResolveLead(*send->lead_id));
    }
    match.send = std::move(send);
    return match;
  }
  if (IsReport(c.kind) || from.empty()) return match;
  TANDEM_ASSIGN_OR_RETURN(match.lead_id, txn.FindLeadByAddress(from));
  if (match.lead_id) match.matched_by = "address";
  return match;
}

StatusOr<json> InboundMail::ApplyToLead(InboundTxn& txn, const InboundPlan& plan, int64_t lead_id,
                                        const InboundMessage& message,
                                        const email::ParsedEmail& email, TimePoint now) const {
  json changes = json::array();
  const Actor actor{std::nullopt, "inbound:" + message.uid};
  PreferencesChange change;
  if (plan.away_until) {
    // From when the answer was written (not later than now) until the first day back
    // begins: the window's end is the day before, as a date in the lead's zone.
    const TimePoint from = std::min(email.date.value_or(now), now);
    const TimePoint last_day = StartOf(*plan.away_until) - std::chrono::days(1);
    if (StartOf(*plan.away_until) > now && last_day + std::chrono::days(1) > from) {
      change.out_of_office = OutOfOfficeInput{from, last_day, false, true};
      changes.push_back({{"out_of_office_until", DayText(*plan.away_until)}});
    }
  }
  if (!plan.do_not_call.empty()) {
    TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs, txn.GetContactPrefs(lead_id));
    json dnc = json::parse(prefs.do_not_contact, nullptr, false);
    if (!dnc.is_object()) dnc = json::object();
    if (!dnc.contains("call")) {
      std::map<std::string, std::string> channels;
      for (const auto& [channel, reason] : dnc.items()) {
        channels[channel] = reason.is_string() ? reason.get<std::string>() : reason.dump();
      }
      channels["call"] = fmt::format("\u201c{}\u201d (email {})", plan.do_not_call, message.uid);
      change.do_not_contact = std::move(channels);
      changes.push_back({{"do_not_contact", "call"}, {"reason", plan.do_not_call}});
    }
  }
  if (change.out_of_office || change.do_not_contact) {
    // A change the lead's preferences refuse (a window already over in the lead's own
    // zone) is noted, not fatal: the message is still recorded, and never read again.
    auto updated = engine_.UpdatePreferences(txn, lead_id, actor, change, now);
    if (!updated.ok() && updated.status().code() != StatusCode::kUnprocessable &&
        updated.status().code() != StatusCode::kInvalidArgument) {
      return updated.status();
    }
    if (!updated.ok()) {
      changes = json::array({{{"not_applied", updated.status().message()}}});
    }
  }
  if (plan.unsubscribe) {
    TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs, txn.GetContactPrefs(lead_id));
    if (!prefs.unsubscribed_at) {
      TANDEM_RETURN_IF_ERROR(
          engine_.ApplyOptOut(txn, lead_id, OptOut::kAllEmail, "spam_complaint", now));
      changes.push_back({{"unsubscribed", true}});
    }
  }
  return changes;
}

// email.bounced for a send that bounced after the relay took it, as the sender writes
// it for one the relay refused: the DSN's status and diagnostic as the reply, and the
// message that said so.
Status InboundMail::BouncedWebhook(InboundTxn& txn, const EmailSend& send,
                                   const InboundMessage& message, const InboundClassification& c,
                                   TimePoint now) const {
  if (!send.lead_id || !IsToLead(send.kind) || !outbox_.Wanted("email.bounced", false)) {
    return OkStatus();
  }
  json email =
      SendWebhookJson(send, 0, HeaderText(fmt::format("{} {}", c.status, c.diagnostic), 300));
  email["bounced_by"] = "mail";
  json data = {{"email", std::move(email)}, {"inbound_id", message.uid}};
  return outbox_.Write(txn, "email.bounced", *send.lead_id, std::move(data), now).status();
}

StatusOr<json> InboundMail::Apply(InboundTxn& txn, const InboundPlan& plan,
                                  const InboundMatch& match, const InboundMessage& message,
                                  const email::ParsedEmail& email, const InboundClassification& c,
                                  TimePoint now) const {
  json changes = json::array();
  if (plan.suppress) {
    TANDEM_ASSIGN_OR_RETURN(auto existing, txn.FindSuppression(plan.address));
    if (!existing) {
      TANDEM_RETURN_IF_ERROR(txn.Suppress(
          Suppression{plan.address, *plan.suppress,
                      fmt::format("{} (email {})", plan.suppress_detail, message.uid), now}));
      changes.push_back({{"suppressed", plan.address}, {"reason", *plan.suppress}});
    }
  }
  if (plan.send_bounced && match.send) {
    TANDEM_ASSIGN_OR_RETURN(
        bool bounced,
        txn.MarkSendBounced(match.send->id, HeaderText(plan.suppress_detail, 300), now));
    if (bounced) {
      changes.push_back({{"send_bounced", match.send->uid}});
      TANDEM_RETURN_IF_ERROR(BouncedWebhook(txn, *match.send, message, c, now));
    }
  }
  if (!match.lead_id) return changes;
  TANDEM_ASSIGN_OR_RETURN(json lead_changes,
                          ApplyToLead(txn, plan, *match.lead_id, message, email, now));
  for (json& change : lead_changes) changes.push_back(std::move(change));
  if (plan.log_kind.empty()) return changes;
  json data = {{"inbound_id", message.uid},      {"class", InboundKindName(c.kind)},
               {"from", message.from_address},   {"subject", message.subject},
               {"matched_by", match.matched_by}, {"changes", changes}};
  if (match.send) data["email_id"] = match.send->uid;
  if (!c.status.empty()) data["status"] = c.status;
  if (!c.excerpt.empty()) data["excerpt"] = c.excerpt;
  if (c.back_on) data["back_on"] = DayText(c.back_on->day);
  LeadLogEntry entry;
  entry.lead_id = *match.lead_id;
  entry.at = now;
  entry.kind = plan.log_kind;
  entry.actor = "inbound:" + message.uid;
  entry.data = data.dump(-1, ' ', false, json::error_handler_t::replace);
  TANDEM_RETURN_IF_ERROR(txn.AppendLog(entry));
  if (c.kind == InboundKind::kReply) {
    TANDEM_RETURN_IF_ERROR(ReplyNotice(txn, *match.lead_id, message, c, now));
  }
  return changes;
}

// The lead's owner hears of the reply (in the app and by email, as they chose).
Status InboundMail::ReplyNotice(InboundTxn& txn, int64_t lead_id, const InboundMessage& message,
                                const InboundClassification& c, TimePoint now) const {
  TANDEM_ASSIGN_OR_RETURN(auto lead, txn.GetLead(lead_id));
  if (!lead || !lead->owner_id) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(auto users, txn.ListUsers());
  auto owner = std::find_if(users.begin(), users.end(),
                            [&](const UserRecord& u) { return u.id == *lead->owner_id; });
  if (owner == users.end()) return OkStatus();
  const std::string who = lead->name.empty() ? lead->email : lead->name;
  json data = {{"inbound_id", message.uid},
               {"notify", json::array({OwnerToJson(*owner)})},
               {"subject", ValidUtf8(fmt::format("{} replied: {}", who, message.subject))},
               {"text", ValidUtf8(c.excerpt)}};
  return outbox_.Write(txn, "lead.replied", lead_id, std::move(data), now).status();
}

StatusOr<InboundResult> InboundMail::Receive(std::string_view bytes, int64_t size,
                                             std::string_view via, TimePoint now) const {
  const std::string_view kept = bytes.substr(0, std::min(bytes.size(), kMaxKeptBytes));
  TANDEM_ASSIGN_OR_RETURN(email::ParsedEmail email, email::ParseMime(kept));
  if (email.headers.empty()) {
    return InvalidArgument("mime_unparseable",
                           "the body is not an email: it begins with no mail headers");
  }
  if (NormalizeEmail(email.from_mailbox.address).empty()) {
    return Unprocessable("mime_no_sender", "the email has no From address");
  }
  InboundMessage message;
  message.uid = "in_" + RandomToken(9);
  message.message_id = email.message_id;
  message.dedup_key = !email.message_id.empty() ? email.message_id : "sha256:" + Sha256Hex(kept);
  message.via = std::string(via);
  message.from_address = NormalizeEmail(email.from_mailbox.address);
  message.subject = HeaderText(email.subject, 300);
  message.raw = std::string(kept);
  message.size = std::max<int64_t>(size, static_cast<int64_t>(kept.size()));
  message.truncated = message.size > static_cast<int64_t>(kept.size());
  message.received_at = now;
  const InboundClassification c = email::ClassifyInbound(email, now);
  message.kind = std::string(InboundKindName(c.kind));

  TANDEM_ASSIGN_OR_RETURN(auto txn, store_.BeginInboundTxn());
  TANDEM_ASSIGN_OR_RETURN(std::optional<InboundMessage> earlier,
                          txn->FindInbound(message.dedup_key));
  if (earlier) return InboundResult{std::move(*earlier), true};
  TANDEM_ASSIGN_OR_RETURN(InboundMatch match, Match(*txn, email, c));
  int64_t soft_bounces = 0;
  if (c.kind == InboundKind::kSoftBounce && match.send) {
    TANDEM_ASSIGN_OR_RETURN(
        soft_bounces,
        txn->CountSoftBounces(NormalizeEmail(match.send->to_address),
                              now - std::chrono::days(config_.soft_bounce_window_days),
                              match.send->id));
  }
  const InboundPlan plan = PlanInbound(c, match, soft_bounces, config_);
  message.status = plan.status;
  message.lead_id = match.lead_id;
  if (match.send) message.send_id = match.send->id;
  message.matched_by = match.matched_by;
  message.address = plan.address.empty() ? c.recipient : plan.address;
  TANDEM_ASSIGN_OR_RETURN(json changes, Apply(*txn, plan, match, message, email, c, now));
  json detail = {{"why", c.why}, {"changes", std::move(changes)}};
  if (!c.status.empty()) detail["status"] = c.status;
  if (!c.diagnostic.empty()) detail["diagnostic"] = c.diagnostic;
  if (!c.recipient.empty()) detail["recipient"] = c.recipient;
  if (!c.feedback_type.empty()) detail["feedback_type"] = c.feedback_type;
  if (c.back_on) {
    detail["back_on"] = DayText(c.back_on->day);
    detail["back_on_sentence"] = c.back_on->sentence;
  }
  if (!c.do_not_call.empty()) detail["do_not_call"] = c.do_not_call;
  if (!c.excerpt.empty()) detail["excerpt"] = c.excerpt;
  if (!match.untrusted.empty()) detail["untrusted"] = match.untrusted;
  if (match.send) detail["email_id"] = match.send->uid;
  if (soft_bounces > 0) detail["earlier_soft_bounces"] = soft_bounces;
  message.detail = detail.dump(-1, ' ', false, json::error_handler_t::replace);
  TANDEM_ASSIGN_OR_RETURN(message.id, txn->AddInbound(message));
  if (const std::optional<SideMetric> side = SideMetricOf(c.kind);
      side && message.status == "applied" && message.lead_id) {
    TANDEM_RETURN_IF_ERROR(txn->NoteSideOutcome(*message.lead_id, *side, now));
  }
  // A reader's reply Tandem trusts is engagement ("Email Replied"): the score counts it.
  if (c.kind == InboundKind::kReply && message.status == "applied" && message.lead_id) {
    TANDEM_RETURN_IF_ERROR(engine_.OnEmailSignal(*txn, *message.lead_id, now));
  }
  TANDEM_RETURN_IF_ERROR(txn->Commit());
  return InboundResult{std::move(message), false};
}

}  // namespace tandem
