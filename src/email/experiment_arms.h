// Email experiments (experiments/) at send time: the experiment running on a broadcast
// or a sequence step, the template each of its arms sends (the broadcast's or step's own
// with the variant's subject, or the variant's template), and each recipient composed
// with the template of their arm. The arm is the hash's (AssignArm on the person's id);
// the transaction that queues the message keeps it as the person's (AdmitInTxn).
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "email/email_service.h"
#include "experiments/experiment_store.h"

namespace tandem {

struct ArmTemplate {
  StoredTemplate source;
  CompiledTemplate compiled;
};

struct EmailArms {
  std::optional<Experiment> experiment;  // none: nothing runs on the target
  std::vector<ArmTemplate> arms;         // one per variant, control first
};

// The running experiment on `target` and its arms' templates, built on `base` (what the
// broadcast or step sends without an experiment). 422 when a variant's template cannot
// be sent (missing, not the base's purpose, or with problems).
StatusOr<EmailArms> EmailArmsFor(const EmailService& service, const ExperimentTarget& target,
                                 const StoredTemplate& base);

// The arms' templates of `experiment` (running or not), built on `base` as above.
StatusOr<EmailArms> EmailArmsOf(const EmailService& service, Experiment experiment,
                                const StoredTemplate& base);

// Each lead composed with its arm's template (with `base` when no experiment runs), in
// order; each composition names its experiment and arm.
StatusOr<std::vector<Composition>> ComposeArmed(const EmailService& service,
                                                std::span<const LeadRecord> leads,
                                                const EmailArms& arms, const StoredTemplate& base,
                                                const CompiledTemplate& base_compiled);

}  // namespace tandem
