// Sequences: a lead's nurture or a rep's outreach as steps over business days.
//
// A sequence is an ordered list of steps — an email (a template), a call or a task for
// someone to do — each after a wait in business days counted in the lead's time zone.
// A lead is enrolled by hand or by the sequence's rule (a saved lead filter); each
// enrolment walks the steps, each step put through the pre-send check and the contact
// gate when it is due. An enrolment ends when the steps run out (finished) or when the
// lead does something that means the sequence should stop talking (exited: it replied,
// met someone, was touched by sales, changed stage, unsubscribed or bounced), and waits
// while the lead is out of office (paused until its return).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace tandem {

// nurture: marketing's, sent as the system (email_marketing templates); one_to_one: a
// rep's own, sent as the enrolled lead's owner (sales_outreach templates), which the
// gate treats as the owner's outreach.
enum class SequenceKind { kNurture, kOneToOne };
std::string_view SequenceKindName(SequenceKind kind);
std::optional<SequenceKind> ParseSequenceKind(std::string_view name);

// active: steps run and the rule enrols; paused: nothing runs, enrolments wait where
// they are; archived: no new enrolments, the running ones go on to their end.
enum class SequenceState { kActive, kPaused, kArchived };
std::string_view SequenceStateName(SequenceState state);
std::optional<SequenceState> ParseSequenceState(std::string_view name);

enum class StepKind { kEmail, kCall, kTask };
std::string_view StepKindName(StepKind kind);
std::optional<StepKind> ParseStepKind(std::string_view name);

// What a step the gate or the check refused does to its enrolment.
enum class OnRefused { kContinue, kPause };
std::string_view OnRefusedName(OnRefused on);
std::optional<OnRefused> ParseOnRefused(std::string_view name);

struct SequenceStep {
  StepKind kind = StepKind::kEmail;
  int wait_days = 0;         // business days after the previous step (the first: enrolment)
  std::string template_key;  // email: the template, its latest version when the step is due
  std::string note;          // call, task: what to do (an email step: "")
};

struct Sequence {
  int64_t id = 0;
  std::string name;
  SequenceKind kind = SequenceKind::kNurture;
  std::optional<int64_t> owner_id;   // one_to_one: the rep whose outreach it is
  std::optional<int64_t> filter_id;  // the rule: the saved filter whose leads are enrolled
  OnRefused on_refused = OnRefused::kContinue;
  SequenceState state = SequenceState::kActive;
  std::vector<SequenceStep> steps;
  // The rule has enrolled the leads that matched up to here (leads changed later are
  // looked at again); nullopt: never run.
  std::optional<TimePoint> enrolled_through;
  std::optional<int64_t> created_by;
  TimePoint created_at;
  TimePoint updated_at;
};

// active: its next step is due at due_at; paused: waiting (until paused_until, or until
// someone resumes it); finished: every step ran; exited: stopped before (reason says
// why, detail names the evidence).
enum class EnrolmentState { kActive, kPaused, kFinished, kExited };
std::string_view EnrolmentStateName(EnrolmentState state);
std::optional<EnrolmentState> ParseEnrolmentState(std::string_view name);
// Active or paused: the lead is still in the sequence.
bool IsOpen(EnrolmentState state);

struct Enrolment {
  int64_t id = 0;
  int64_t sequence_id = 0;
  int64_t lead_id = 0;
  EnrolmentState state = EnrolmentState::kActive;
  int next_step = 0;  // the position of the step to run next
  std::optional<TimePoint> due_at;
  std::optional<TimePoint> paused_until;  // out of office: resumes by itself then
  // Why it exited or paused: replied, meeting, sales_touch, stage_changed, unsubscribed,
  // bounced, stopped (by hand), out_of_office, refused, paused (by hand).
  std::string reason;
  std::string detail;                  // the evidence: "in_…", a stage, a touch, codes
  std::optional<int64_t> enrolled_by;  // nullopt: the sequence's rule
  TimePoint enrolled_at;
  std::optional<TimePoint> ended_at;
  TimePoint updated_at;
};

// One step as it ran for one enrolment: an email queued (its send) or refused (the
// codes), or a call or task handed to someone (done when they say so).
struct StepRun {
  int64_t id = 0;
  int64_t enrolment_id = 0;
  int64_t lead_id = 0;
  int position = 0;
  StepKind kind = StepKind::kEmail;
  std::string outcome;  // queued | refused | reminded
  std::optional<int64_t> send_id;
  std::string send_uid;  // read only: the send's "em_…"
  std::optional<int64_t> touch_id;
  std::optional<int64_t> assignee_id;  // call, task: whom it is for
  std::string reason;                  // refused: the codes, comma-separated
  std::string note;                    // the email's subject, the call's or task's note
  TimePoint at;
  std::optional<TimePoint> done_at;  // call, task: when the assignee marked it done
};

// Something the lead did that ends (or pauses) an enrolment, as the store finds it.
struct ExitFact {
  int64_t enrolment_id = 0;
  std::string reason;  // as Enrolment::reason
  std::string detail;
  TimePoint at;  // when it happened; out_of_office: the return
};

}  // namespace tandem
