// One recipient's composed email through compliance and the gate, queued or refused:
// shared by broadcasts, sequences and their audience counts.
#include <fmt/format.h>

#include "core/random.h"
#include "email/email_service.h"

namespace tandem {
namespace {

std::string Joined(const std::vector<std::string>& codes) {
  return fmt::format("{}", fmt::join(codes, ","));
}

}  // namespace

std::vector<std::string> GateCodes(const ContactDecision& decision) {
  std::vector<std::string> codes;
  for (const ContactReason& r : decision.reasons) {
    if (r.severity == "block" && !r.overridden) codes.push_back(r.code);
  }
  if (codes.empty()) codes.push_back("refused");
  return codes;
}

TouchInput EmailTouch(const Composition& c) {
  TouchInput touch;
  touch.channel = Channel::kEmail;
  touch.purpose = c.source.purpose;
  touch.note = "Email: " + (c.rendered ? c.rendered->subject : c.source.subject);
  return touch;
}

StatusOr<Admission> EmailService::AdmitInTxn(EmailTxn& txn, const LeadRecord& lead,
                                             const Composition& c, const AdmitAs& as,
                                             TimePoint now) const {
  Admission out;
  // The person keeps the first arm they were given. A message composed for another arm
  // (two persons stitched since) still names the arm it shows, so its exposure makes the
  // person conflicted rather than counted in an arm they did not see.
  const std::optional<int64_t> experiment_id = c.experiment_id;
  if (experiment_id && c.experiment_arm) {
    TANDEM_RETURN_IF_ERROR(
        txn.AssignPerson(*experiment_id, lead.id, *c.experiment_arm, now).status());
  }
  out.refused = c.BlockingCodes();
  TANDEM_ASSIGN_OR_RETURN(auto compliance, Compliance(txn, lead, c.source.purpose));
  for (const ContactReason& r : compliance) out.refused.push_back(r.code);
  if (out.refused.empty()) {
    TANDEM_ASSIGN_OR_RETURN(TouchResult result,
                            engine_.RecordTouch(txn, lead.id, as.actor, EmailTouch(c), now));
    if (result.touch) {
      out.touch = result.touch;
      TANDEM_ASSIGN_OR_RETURN(out.send, QueueInTxn(txn, c, as.kind, as.user_id, as.broadcast_id,
                                                   lead.id, *result.touch, now, experiment_id));
      return out;
    }
    out.refused = GateCodes(result.decision);
  }
  EmailSend send;
  send.uid = "em_" + RandomToken(9);
  send.kind = as.kind;
  send.lead_id = lead.id;
  send.broadcast_id = as.broadcast_id;
  send.user_id = as.user_id;
  send.template_key = c.source.key;
  send.template_version = c.source.version;
  send.to_address = lead.email;
  send.to_name = lead.name;
  send.subject = c.rendered ? c.rendered->subject : c.source.subject;
  send.message_id = MessageIdFor(config_);
  send.marketing = c.source.purpose == Purpose::kEmailMarketing;
  send.experiment_id = experiment_id;
  if (experiment_id) send.experiment_arm = c.experiment_arm;
  send.status = SendStatus::kRefused;
  send.reason = Joined(out.refused);
  send.next_attempt_at = now;
  send.created_at = now;
  send.updated_at = now;
  TANDEM_ASSIGN_OR_RETURN(send.id, txn.AddSend(send));
  out.send = std::move(send);
  return out;
}

}  // namespace tandem
