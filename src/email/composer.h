// Composing one recipient's email: a stored template version rendered with the
// recipient's merge values and put through the pre-send check. Pure but for the
// fetched facts about images and links.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "contact/gate.h"
#include "email/email_config.h"
#include "email/email_records.h"
#include "email/lint.h"
#include "email/recipient.h"
#include "email/template.h"
#include "email/template_facts.h"

namespace tandem {

using email::CheckTemplate;
using email::CompiledTemplate;
using email::EmailTemplate;
using email::MergeField;
using email::MergeFields;
using email::RenderedEmail;
using email::TemplateProblem;

// One recipient's message, rendered and checked.
struct Composition {
  StoredTemplate source;  // as rendered (with the edits)
  std::optional<RenderedEmail> rendered;
  std::vector<TemplateProblem> problems;  // why it could not be rendered
  std::vector<email::Finding> findings;   // the pre-send check's, errors first
  std::vector<ContactReason> compliance;  // refusals no override lifts (set when sending)
  std::optional<ContactDecision> gate;    // the gate's answer (a preview's)
  std::string to_address;
  std::string to_name;
  std::string unsubscribe_url;
  // The experiment (experiments/) and the arm it is composed for, if any.
  std::optional<int64_t> experiment_id;
  std::optional<size_t> experiment_arm;

  // A problem, an error finding or a compliance refusal: the message may not leave.
  bool Blocked() const;
  // The codes that stop it ("missing_merge_field", the check's error codes, the
  // compliance codes), for a refused send's reason.
  std::vector<std::string> BlockingCodes() const;
};

EmailTemplate ToEmailTemplate(const StoredTemplate& stored);
// 422 template_invalid listing every problem ("html:3:14: …") when the template has any.
Status CheckStoredTemplate(const StoredTemplate& stored);
// REQUIRES: nothing; a template with problems is a 422 as above.
StatusOr<CompiledTemplate> CompileStoredTemplate(const StoredTemplate& stored);

// Renders `compiled` (made from `source`) for the recipient of `facts` and checks it.
// `resources` may be null (the checks that fetch are skipped). `shapes`, when given, is
// for `compiled` and reads the body for the check (one per batch of recipients).
Composition ComposeFor(const EmailConfig& config, const RecipientFacts& facts,
                       const StoredTemplate& source, const CompiledTemplate& compiled,
                       email::ResourceFacts* resources, email::TemplateHtmlFacts* shapes = nullptr);

// The check's thresholds that [email] sets.
email::LintOptions LintOptionsFor(const EmailConfig& config);
// "<random>@<domain>" from [email] message_id_domain, else the from address's domain.
std::string MessageIdFor(const EmailConfig& config);
// The lint context for a recipient.
email::LintContext LintContextFor(const EmailConfig& config, const RecipientFacts& facts);

}  // namespace tandem
