#include "email/staff_mail.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "identity/email.h"
#include "leads/lead_json.h"
#include "outbox/outbox_cursor.h"

namespace tandem {
namespace {

// `line` escaped, with its http(s) URLs as links.
std::string LinkedLine(std::string_view line) {
  std::string out;
  while (!line.empty()) {
    size_t at = std::min(line.find("https://"), line.find("http://"));
    if (at == std::string_view::npos) {
      out += HtmlEscape(line);
      break;
    }
    out += HtmlEscape(line.substr(0, at));
    size_t end = line.find_first_of(" \t<>\"", at);
    std::string_view url = line.substr(at, end == std::string_view::npos ? end : end - at);
    out += fmt::format("<a href=\"{0}\">{0}</a>", HtmlEscape(url));
    line = end == std::string_view::npos ? "" : line.substr(end);
  }
  return out;
}

std::string Text(const nlohmann::json& data, const char* key) {
  auto it = data.find(key);
  return it != data.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string TextToHtml(std::string_view text) {
  std::string out = "<!doctype html><html><body>";
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t gap = rest.find("\n\n");
    std::string_view para = rest.substr(0, gap);
    rest = gap == std::string_view::npos ? "" : rest.substr(gap + 2);
    if (para.find_first_not_of(" \n") == std::string_view::npos) continue;
    out += "<p>";
    bool first = true;
    while (!para.empty()) {
      size_t nl = para.find('\n');
      if (!first) out += "<br>";
      out += LinkedLine(para.substr(0, nl));
      first = false;
      para = nl == std::string_view::npos ? "" : para.substr(nl + 1);
    }
    out += "</p>";
  }
  return out + "</body></html>";
}

StatusOr<int64_t> StaffMail::Cursor() { return OutboxCursor(outbox_, settings_, kCursorSetting); }

StatusOr<std::vector<EmailSend>> StaffMail::SendsFor(const OutboxMessage& message, TimePoint now) {
  std::vector<EmailSend> out;
  const auto payload = nlohmann::json::parse(message.payload, nullptr, false);
  if (!payload.is_object() || !payload.contains("data") || !payload["data"].is_object()) {
    return out;
  }
  const nlohmann::json& data = payload["data"];
  const std::string subject = Text(data, "subject");
  const std::string text = Text(data, "text").empty() ? subject : Text(data, "text");
  if (subject.empty()) return out;
  if (message.type == "person.resubscribe_confirmation") {
    const std::string to = Text(data, "to");
    if (to.empty()) return out;
    out.push_back(service_.Transactional(to, "", message.lead_id, std::nullopt, subject,
                                         TextToHtml(text), text, now));
    return out;
  }
  const NotificationKind* kind = KindOfOutboxType(message.type);
  for (int64_t id : NotifiedUsers(data)) {
    TANDEM_ASSIGN_OR_RETURN(auto user, service_.stores().users.GetUser(id));
    if (!user || !user->active || user->notify_by != "email" || user->email.empty()) continue;
    if (kind) {
      // The user's choice for this kind (email unless they turned it off).
      TANDEM_ASSIGN_OR_RETURN(auto choices, notifications_.NotifyChoices(user->id));
      auto choice = choices.find(kind->name);
      if (choice != choices.end() && !choice->second.email) continue;
    }
    out.push_back(service_.Transactional(user->email, user->name, message.lead_id, user->id,
                                         subject, TextToHtml(text), text, now));
  }
  return out;
}

StatusOr<size_t> StaffMail::QueueNew(TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(int64_t cursor, Cursor());
  TANDEM_ASSIGN_OR_RETURN(auto messages, outbox_.ListOutbox(cursor, 200));
  if (messages.empty()) return 0;
  std::vector<EmailSend> sends;
  for (const OutboxMessage& message : messages) {
    TANDEM_ASSIGN_OR_RETURN(auto more, SendsFor(message, now));
    for (EmailSend& send : more) sends.push_back(std::move(send));
  }
  TANDEM_ASSIGN_OR_RETURN(auto txn, service_.stores().email.BeginEmailTxn());
  for (EmailSend& send : sends) {
    TANDEM_ASSIGN_OR_RETURN(auto suppressed, txn->FindSuppression(NormalizeEmail(send.to_address)));
    if (suppressed) {
      send.status = SendStatus::kRefused;
      send.reason = "suppressed";
    }
    TANDEM_ASSIGN_OR_RETURN(send.id, txn->AddSend(send));
  }
  TANDEM_RETURN_IF_ERROR(txn->PutSettingInTxn(kCursorSetting, std::to_string(messages.back().id)));
  TANDEM_RETURN_IF_ERROR(txn->Commit());
  return sends.size();
}

StatusOr<bool> QueueAccountMail(const EmailService& service, const UserRecord& to,
                                const std::string& subject, const std::string& text,
                                TimePoint now) {
  if (service.config().from_address.empty() || to.email.empty()) return false;
  EmailSend send = service.Transactional(to.email, to.name, std::nullopt, to.id, subject,
                                         TextToHtml(text), text, now);
  TANDEM_ASSIGN_OR_RETURN(auto txn, service.stores().email.BeginEmailTxn());
  TANDEM_ASSIGN_OR_RETURN(auto suppressed, txn->FindSuppression(NormalizeEmail(send.to_address)));
  if (suppressed) {
    send.status = SendStatus::kRefused;
    send.reason = "suppressed";
  }
  TANDEM_ASSIGN_OR_RETURN(send.id, txn->AddSend(send));
  TANDEM_RETURN_IF_ERROR(txn->Commit());
  return !suppressed;
}

}  // namespace tandem
