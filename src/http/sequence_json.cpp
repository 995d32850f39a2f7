#include "http/sequence_json.h"

#include <fmt/format.h>

#include "core/time_format.h"
#include "http/email_json.h"
#include "http/json_fields.h"
#include "sequences/sequence_service.h"

namespace tandem::http {

using nlohmann::json;

namespace {

json TimeOrNull(const std::optional<TimePoint>& t) {
  return t ? json(FormatIsoTime(*t)) : json(nullptr);
}

json UserRef(const std::optional<int64_t>& id) {
  return id ? json(fmt::format("usr_{}", *id)) : json(nullptr);
}

Status Invalid(std::string message) { return InvalidField(std::move(message)); }

StatusOr<SequenceStep> ReadStep(const json& j, size_t i) {
  const std::string where = fmt::format("steps[{}]", i);
  if (!j.is_object()) return Invalid(where + " must be an object");
  for (const auto& [key, _] : j.items()) {
    if (key != "kind" && key != "wait_days" && key != "template" && key != "note") {
      return Invalid(
          fmt::format("{}.{} is not a step field (kind, wait_days, template, note)", where, key));
    }
  }
  SequenceStep step;
  TANDEM_RETURN_IF_ERROR(EnumField(j, "kind", &ParseStepKind, "email, call, task", step.kind));
  if (!j.contains("kind")) return Invalid(where + ".kind is required (email, call, task)");
  if (auto w = j.find("wait_days"); w != j.end()) {
    if (!w->is_number_integer()) return Invalid(where + ".wait_days must be a whole number");
    const int64_t days = w->get<int64_t>();
    if (days < 0 || days > SequencesConfig::kMaxWaitDays) {
      return Invalid(
          fmt::format("{}.wait_days must be 0 to {}", where, SequencesConfig::kMaxWaitDays));
    }
    step.wait_days = static_cast<int>(days);
  }
  for (auto [key, out] : {std::pair{"template", &step.template_key}, {"note", &step.note}}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) continue;
    if (!it->is_string()) return Invalid(fmt::format("{}.{} must be a string", where, key));
    *out = it->get<std::string>();
  }
  if (step.kind == StepKind::kEmail && step.template_key.empty()) {
    return Invalid(where + ".template is required for an email step");
  }
  return step;
}

}  // namespace

json SequenceJson(const Sequence& s, const std::map<std::string, int64_t>& enrolments) {
  json steps = json::array();
  for (const SequenceStep& step : s.steps) {
    json j = {{"kind", StepKindName(step.kind)}, {"wait_days", step.wait_days}};
    if (step.kind == StepKind::kEmail)
      j["template"] = step.template_key;
    else
      j["note"] = step.note;
    steps.push_back(std::move(j));
  }
  json counts = json::object();
  for (std::string_view state : {"active", "paused", "finished", "exited"}) {
    auto it = enrolments.find(std::string(state));
    counts[std::string(state)] = it == enrolments.end() ? 0 : it->second;
  }
  return {{"id", SequenceRef(s.id)},
          {"name", s.name},
          {"kind", SequenceKindName(s.kind)},
          {"owner_id", UserRef(s.owner_id)},
          {"filter_id", s.filter_id ? json(fmt::format("flt_{}", *s.filter_id)) : json(nullptr)},
          {"on_refused", OnRefusedName(s.on_refused)},
          {"state", SequenceStateName(s.state)},
          {"steps", steps},
          {"enrolments", counts},
          {"created_by", UserRef(s.created_by)},
          {"created_at", FormatIsoTime(s.created_at)},
          {"updated_at", FormatIsoTime(s.updated_at)}};
}

json EnrolmentJson(const Enrolment& e, const Sequence* s) {
  json out = {{"id", EnrolmentRef(e.id)},
              {"sequence_id", SequenceRef(e.sequence_id)},
              {"lead_id", fmt::format("ld_{}", e.lead_id)},
              {"state", EnrolmentStateName(e.state)},
              {"next_step", IsOpen(e.state) ? json(e.next_step + 1) : json(nullptr)},
              {"due_at", e.state == EnrolmentState::kActive ? TimeOrNull(e.due_at) : json(nullptr)},
              {"paused_until", TimeOrNull(e.paused_until)},
              {"reason", e.reason.empty() ? json(nullptr) : json(e.reason)},
              {"detail", e.detail.empty() ? json(nullptr) : json(e.detail)},
              {"enrolled_by", e.enrolled_by ? UserRef(e.enrolled_by) : json("rule")},
              {"enrolled_at", FormatIsoTime(e.enrolled_at)},
              {"ended_at", TimeOrNull(e.ended_at)}};
  if (s) {
    out["sequence"] = s->name;
    out["steps"] = s->steps.size();
    if (IsOpen(e.state) && e.next_step < static_cast<int>(s->steps.size())) {
      const SequenceStep& step = s->steps[e.next_step];
      out["next_step_kind"] = StepKindName(step.kind);
      out["next_step_what"] = step.kind == StepKind::kEmail ? step.template_key : step.note;
    }
  }
  return out;
}

json StepRunJson(const StepRun& r) {
  return {{"id", fmt::format("sr_{}", r.id)},
          {"enrolment_id", EnrolmentRef(r.enrolment_id)},
          {"lead_id", fmt::format("ld_{}", r.lead_id)},
          {"step", r.position + 1},
          {"kind", StepKindName(r.kind)},
          {"outcome", r.outcome},
          {"email_id", r.send_uid.empty() ? json(nullptr) : json(r.send_uid)},
          {"assignee_id", UserRef(r.assignee_id)},
          {"reason", r.reason.empty() ? json(nullptr) : json(r.reason)},
          {"note", r.note},
          {"at", FormatIsoTime(r.at)},
          {"done_at", TimeOrNull(r.done_at)}};
}

Status ReadSequenceBody(const json& body, Sequence& s) {
  static const std::vector<std::string> kFields = {"name",       "kind",  "owner_id", "filter_id",
                                                   "on_refused", "state", "steps"};
  for (const auto& [key, _] : body.items()) {
    if (std::find(kFields.begin(), kFields.end(), key) == kFields.end()) {
      return Invalid(fmt::format("{} is not a sequence field ({})", key, fmt::join(kFields, ", ")));
    }
  }
  if (auto it = body.find("name"); it != body.end()) {
    if (!it->is_string()) return Invalid("name must be a string");
    s.name = it->get<std::string>();
  }
  TANDEM_RETURN_IF_ERROR(
      EnumField(body, "kind", &ParseSequenceKind, "nurture, one_to_one", s.kind));
  TANDEM_RETURN_IF_ERROR(
      EnumField(body, "on_refused", &ParseOnRefused, "continue, pause", s.on_refused));
  TANDEM_RETURN_IF_ERROR(
      EnumField(body, "state", &ParseSequenceState, "active, paused, archived", s.state));
  TANDEM_RETURN_IF_ERROR(RefField(body, "owner_id", "usr_", s.owner_id));
  TANDEM_RETURN_IF_ERROR(RefField(body, "filter_id", "flt_", s.filter_id));
  if (auto it = body.find("steps"); it != body.end()) {
    if (!it->is_array()) return Invalid("steps must be an array of steps");
    s.steps.clear();
    for (size_t i = 0; i < it->size(); ++i) {
      TANDEM_ASSIGN_OR_RETURN(SequenceStep step, ReadStep((*it)[i], i));
      s.steps.push_back(std::move(step));
    }
  }
  return OkStatus();
}

}  // namespace tandem::http
