#include "email/engagement.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "email/tracking.h"

namespace tandem {
namespace {

constexpr size_t kMaxUserAgent = 512;

// The header as kept: printable ASCII, at most kMaxUserAgent characters.
std::string Printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxUserAgent)) out.push_back(c >= 0x20 && c < 0x7F ? c : '?');
  return out;
}

Status ForgedLink() {
  return NotFound("invalid_link", "this link was not made by this server for this email");
}

}  // namespace

Status EngagementRecorder::Click(std::string_view send_uid, std::string_view mac,
                                 const std::string& link,
                                 const EngagementRequestFacts& request) const {
  if (!email::IsClickMac(secret_, send_uid, link, mac)) return ForgedLink();
  Status recorded = Record(send_uid, EngagementKind::kClick, link, request);
  if (!recorded.ok()) {
    spdlog::error("email: a click on {} in {} was not recorded: {}", link, send_uid,
                  recorded.message());
  }
  return OkStatus();
}

Status EngagementRecorder::Open(std::string_view send_uid, std::string_view mac,
                                const EngagementRequestFacts& request) const {
  if (!email::IsOpenMac(secret_, send_uid, mac)) return ForgedLink();
  return Record(send_uid, EngagementKind::kOpen, "", request);
}

Status EngagementRecorder::Record(std::string_view send_uid, EngagementKind kind,
                                  const std::string& link,
                                  const EngagementRequestFacts& request) const {
  TANDEM_ASSIGN_OR_RETURN(auto send, store_.GetSend(send_uid));
  if (!send) return OkStatus();  // signed, but no longer here: nothing to count it on
  const TimePoint now = clock_.Now();
  EmailEngagement e;
  e.send_id = send->id;
  e.lead_id = send->lead_id;
  e.kind = kind;
  e.url = link;
  e.user_agent = Printable(request.user_agent);
  e.ip = Printable(request.ip);
  e.at = now;
  e.machine = email::MachineReason({request.method, e.user_agent, e.ip, now, send->sent_at});
  TANDEM_ASSIGN_OR_RETURN(auto txn, store_.BeginEmailTxn());
  TANDEM_ASSIGN_OR_RETURN(bool added, txn->AddEngagement(e, kSameWithin));
  // A reader's click, or the first time a reader opened it: the lead's timeline and score.
  const bool open = kind == EngagementKind::kOpen;
  if (added && e.machine.empty() && send->lead_id && (!open || send->opens == 0)) {
    nlohmann::json data = {{"email", send->uid}, {"subject", send->subject}};
    if (!open) data["url"] = link;
    LeadLogEntry entry;
    entry.lead_id = *send->lead_id;
    entry.at = now;
    entry.kind = open ? "email_opened" : "email_clicked";
    entry.actor = "system";
    entry.data = data.dump();
    TANDEM_RETURN_IF_ERROR(txn->AppendLog(entry));
    TANDEM_RETURN_IF_ERROR(engine_.OnEmailSignal(*txn, *send->lead_id, now));
    if (!open)
      TANDEM_RETURN_IF_ERROR(txn->NoteSideOutcome(*send->lead_id, SideMetric::kClicks, now));
  }
  return txn->Commit();
}

}  // namespace tandem
