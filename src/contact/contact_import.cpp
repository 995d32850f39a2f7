#include "contact/contact_import.h"

#include "contact/contact_store.h"
#include "contact/gate.h"

namespace tandem {
namespace {

ConsentRecord ImportConsent(int64_t lead_id, const ImportedContact& row, TimePoint now) {
  ConsentRecord c;
  c.lead_id = lead_id;
  c.purpose = Purpose::kEmailMarketing;
  c.at = now;
  c.method = "import";
  c.actor = "import";
  c.address_source = row.address_source;
  c.evidence = row.evidence;
  return c;
}

bool AlreadyGranted(const std::vector<ConsentRecord>& consents, const ImportedContact& row) {
  for (const ConsentRecord& c : consents) {
    if (c.purpose == Purpose::kEmailMarketing && c.status == "granted" &&
        c.wording == row.consent_wording) {
      return true;
    }
  }
  return false;
}

}  // namespace

ImportedContactPlan PlanImportedContact(const ContactPrefs& prefs,
                                        const std::vector<ConsentRecord>& consents,
                                        const ImportedContact& row, bool new_lead, TimePoint now) {
  ImportedContactPlan plan;
  ContactPrefs next = prefs;
  bool dirty = false;
  if (new_lead && !row.address_source.empty() && next.address_source != row.address_source) {
    next.address_source = row.address_source;
    plan.changed["address_source"] = row.address_source;
    dirty = true;
  }
  if (row.email_opt_out && !next.unsubscribed_at) {
    next.unsubscribed_at = now;
    ConsentRecord withdrawn = ImportConsent(prefs.lead_id, row, now);
    withdrawn.status = "withdrawn";
    withdrawn.wording = "Opted out of email (imported)";
    plan.consents.push_back(std::move(withdrawn));
    plan.changed["unsubscribed"] = true;
    dirty = true;
  }
  if (row.do_not_call) {
    nlohmann::json dnc = nlohmann::json::parse(next.do_not_contact, nullptr, false);
    if (!dnc.is_object()) dnc = nlohmann::json::object();
    if (!dnc.contains("call") && !dnc.contains("all")) {
      dnc["call"] = "do not call (imported)";
      next.do_not_contact = dnc.dump();
      plan.changed["do_not_contact"] = nlohmann::json::array({"call"});
      dirty = true;
    }
  }
  if (row.consent_basis == "consent") {
    // An opt-out, in the file or before it, outranks a consent the file claims.
    const bool opted_out = next.unsubscribed_at.has_value() ||
                           ConsentState(consents, Purpose::kEmailMarketing) == "withdrawn";
    if (opted_out) {
      plan.changed["consent"] = "withdrawal_kept";
    } else if (AlreadyGranted(consents, row)) {
      plan.changed["consent"] = "already_granted";
    } else {
      ConsentRecord granted = ImportConsent(prefs.lead_id, row, now);
      granted.status = "granted";
      granted.wording = row.consent_wording;
      plan.consents.push_back(std::move(granted));
      plan.changed["consent"] = "granted";
    }
  }
  if (dirty) {
    next.updated_at = now;
    plan.prefs = std::move(next);
  }
  return plan;
}

StatusOr<nlohmann::json> ApplyImportedContact(ContactReads& reads, ContactWrites& writes,
                                              int64_t lead_id, const ImportedContact& row,
                                              bool new_lead, TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs, reads.GetContactPrefs(lead_id));
  prefs.lead_id = lead_id;
  TANDEM_ASSIGN_OR_RETURN(auto consents, reads.ListConsents(lead_id));
  ImportedContactPlan plan = PlanImportedContact(prefs, consents, row, new_lead, now);
  if (plan.prefs) TANDEM_RETURN_IF_ERROR(writes.PutContactPrefs(*plan.prefs));
  for (const ConsentRecord& c : plan.consents) TANDEM_RETURN_IF_ERROR(writes.AddConsent(c));
  return std::move(plan.changed);
}

}  // namespace tandem
