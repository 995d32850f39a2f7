#include "email/experiment_arms.h"

#include <fmt/format.h>

#include <string>

namespace tandem {

StatusOr<EmailArms> EmailArmsFor(const EmailService& service, const ExperimentTarget& target,
                                 const StoredTemplate& base) {
  TANDEM_ASSIGN_OR_RETURN(auto running, service.stores().experiments.FindRunningExperiment(target));
  if (!running) return EmailArms{};
  return EmailArmsOf(service, std::move(*running), base);
}

StatusOr<EmailArms> EmailArmsOf(const EmailService& service, Experiment experiment,
                                const StoredTemplate& base) {
  EmailArms out;
  out.experiment = std::move(experiment);
  for (const ExperimentVariant& v : out.experiment->variants) {
    ComposeRequest request;
    request.template_key = v.template_key.empty() ? base.key : v.template_key;
    if (v.template_key.empty()) request.version = base.version;
    if (!v.subject.empty()) request.subject = v.subject;
    StatusOr<StoredTemplate> source = service.Resolve(request);
    if (!source.ok()) {
      return Unprocessable("experiment_variant_unsendable",
                           fmt::format("experiment \"{}\" variant \"{}\": {}", out.experiment->key,
                                       v.key, source.status().message()));
    }
    if (source->purpose != base.purpose) {
      return Unprocessable("experiment_variant_unsendable",
                           fmt::format("experiment \"{}\" variant \"{}\": template \"{}\" is for "
                                       "another purpose than \"{}\"",
                                       out.experiment->key, v.key, source->key, base.key));
    }
    StatusOr<CompiledTemplate> compiled = CompileStoredTemplate(*source);
    if (!compiled.ok()) {
      return Unprocessable("experiment_variant_unsendable",
                           fmt::format("experiment \"{}\" variant \"{}\": {}", out.experiment->key,
                                       v.key, compiled.status().message()));
    }
    out.arms.push_back({std::move(*source), std::move(*compiled)});
  }
  return out;
}

StatusOr<std::vector<Composition>> ComposeArmed(const EmailService& service,
                                                std::span<const LeadRecord> leads,
                                                const EmailArms& arms, const StoredTemplate& base,
                                                const CompiledTemplate& base_compiled) {
  if (!arms.experiment) return service.ComposeEach(leads, base, base_compiled);
  const Experiment& e = *arms.experiment;
  const std::vector<double> weights = e.Weights();
  // The leads of each arm, composed together; then put back in the leads' order.
  std::vector<std::vector<LeadRecord>> of_arm(arms.arms.size());
  std::vector<std::pair<size_t, size_t>> place;  // (arm, index within the arm)
  for (const LeadRecord& lead : leads) {
    const size_t arm = AssignArm(e.key, e.version, weights, std::to_string(lead.id));
    place.emplace_back(arm, of_arm[arm].size());
    of_arm[arm].push_back(lead);
  }
  std::vector<std::vector<Composition>> composed(arms.arms.size());
  for (size_t arm = 0; arm < arms.arms.size(); ++arm) {
    if (of_arm[arm].empty()) continue;
    TANDEM_ASSIGN_OR_RETURN(composed[arm], service.ComposeEach(of_arm[arm], arms.arms[arm].source,
                                                               arms.arms[arm].compiled));
  }
  std::vector<Composition> out;
  out.reserve(leads.size());
  for (const auto& [arm, index] : place) {
    Composition c = std::move(composed[arm][index]);
    c.experiment_id = e.id;
    c.experiment_arm = arm;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace tandem
