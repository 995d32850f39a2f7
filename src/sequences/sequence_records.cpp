#include "sequences/sequence_records.h"

#include "core/enum_names.h"

namespace tandem {
namespace {

constexpr EnumNames<SequenceKind, 2> kKinds = {{
    {SequenceKind::kNurture, "nurture"},
    {SequenceKind::kOneToOne, "one_to_one"},
}};

constexpr EnumNames<SequenceState, 3> kStates = {{
    {SequenceState::kActive, "active"},
    {SequenceState::kPaused, "paused"},
    {SequenceState::kArchived, "archived"},
}};

constexpr EnumNames<StepKind, 3> kStepKinds = {{
    {StepKind::kEmail, "email"},
    {StepKind::kCall, "call"},
    {StepKind::kTask, "task"},
}};

constexpr EnumNames<OnRefused, 2> kOnRefused = {{
    {OnRefused::kContinue, "continue"},
    {OnRefused::kPause, "pause"},
}};

constexpr EnumNames<EnrolmentState, 4> kEnrolmentStates = {{
    {EnrolmentState::kActive, "active"},
    {EnrolmentState::kPaused, "paused"},
    {EnrolmentState::kFinished, "finished"},
    {EnrolmentState::kExited, "exited"},
}};

}  // namespace

std::string_view SequenceKindName(SequenceKind kind) { return NameOf(kKinds, kind); }
std::optional<SequenceKind> ParseSequenceKind(std::string_view name) {
  return ParseName(kKinds, name);
}
std::string_view SequenceStateName(SequenceState state) { return NameOf(kStates, state); }
std::optional<SequenceState> ParseSequenceState(std::string_view name) {
  return ParseName(kStates, name);
}
std::string_view StepKindName(StepKind kind) { return NameOf(kStepKinds, kind); }
std::optional<StepKind> ParseStepKind(std::string_view name) { return ParseName(kStepKinds, name); }
std::string_view OnRefusedName(OnRefused on) { return NameOf(kOnRefused, on); }
std::optional<OnRefused> ParseOnRefused(std::string_view name) {
  return ParseName(kOnRefused, name);
}
std::string_view EnrolmentStateName(EnrolmentState state) {
  return NameOf(kEnrolmentStates, state);
}
std::optional<EnrolmentState> ParseEnrolmentState(std::string_view name) {
  return ParseName(kEnrolmentStates, name);
}
bool IsOpen(EnrolmentState state) {
  return state == EnrolmentState::kActive || state == EnrolmentState::kPaused;
}

}  // namespace tandem
