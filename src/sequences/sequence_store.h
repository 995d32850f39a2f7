// What sequences ask of the store: the sequences with their steps, the enrolments and
// the steps they ran; a lead transaction that can also queue email and move an
// enrolment (a step's email, its touch and the enrolment's move commit together); and
// the facts about a lead that end an enrolment.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "email/email_store.h"
#include "sequences/sequence_records.h"

namespace tandem {

// Inside a lead transaction.
class SequenceWrites {
 public:
  virtual ~SequenceWrites() = default;
  // Writes a new enrolment; nullopt, writing nothing, when the lead already has an open
  // one (active or paused) in the sequence.
  virtual StatusOr<std::optional<int64_t>> AddEnrolment(const Enrolment& enrolment) = 0;
  // Replaces the enrolment's state, step, times, reason and detail only while it is as
  // `expected` says (state and next step, as the caller read them): false, changing
  // nothing, when another runner or a person moved it meanwhile.
  virtual StatusOr<bool> MoveEnrolment(const Enrolment& enrolment, EnrolmentState expected_state,
                                       int expected_step) = 0;
  // Writes a step's run; returns its id.
  virtual StatusOr<int64_t> AddStepRun(const StepRun& run) = 0;
  // For each of the open enrolments `ids`: the first thing since it began that ends it,
  // else the lead's out-of-office window open at `now` (reason out_of_office, at its
  // end). Enrolments with neither are absent.
  virtual StatusOr<std::map<int64_t, ExitFact>> FindExitFacts(std::span<const int64_t> ids,
                                                              TimePoint now) = 0;
};

class SequenceTxn : public EmailTxn, public SequenceWrites {};

struct EnrolmentQuery {
  std::optional<int64_t> sequence_id;
  std::optional<int64_t> lead_id;
  std::optional<EnrolmentState> state;
  int64_t before_id = 0;  // keyset: enrolments with a lower id (newest first); 0 = the top
  size_t limit = 50;
};

// For the rule: what a lead's history in a sequence says about enrolling it again.
struct EnrolmentHistory {
  bool open = false;                    // it is in the sequence now
  std::optional<TimePoint> last_ended;  // its last enrolment ended then
  std::optional<TimePoint>
      stage_entered;  // it entered its current stage then (nullopt: created in it)
};

struct StepTask {
  StepRun run;
  std::string sequence_name;
};

class SequenceStore {
 public:
  virtual ~SequenceStore() = default;
  virtual StatusOr<std::unique_ptr<SequenceTxn>> BeginSequenceTxn() = 0;

  // Inserts (id 0) or replaces a sequence with its steps; 409 name_taken when another
  // has its name, 404 when `id` names none.
  virtual StatusOr<Sequence> PutSequence(const Sequence& sequence) = 0;
  virtual StatusOr<std::optional<Sequence>> GetSequence(int64_t id) = 0;
  virtual StatusOr<std::vector<Sequence>> ListSequences() = 0;  // by name
  // The rule's watermark.
  virtual Status SetEnrolledThrough(int64_t sequence_id, TimePoint through) = 0;

  virtual StatusOr<std::optional<Enrolment>> GetEnrolment(int64_t id) = 0;
  virtual StatusOr<std::vector<Enrolment>> ListEnrolments(const EnrolmentQuery& query) = 0;
  // Enrolments of each state in a sequence.
  virtual StatusOr<std::map<std::string, int64_t>> CountEnrolments(int64_t sequence_id) = 0;
  // Active enrolments of active sequences due at `now` or earlier, soonest first.
  virtual StatusOr<std::vector<Enrolment>> DueEnrolments(TimePoint now, size_t limit) = 0;
  // Open enrolments after `after_id` (by id): the sweep's pages.
  virtual StatusOr<std::vector<int64_t>> OpenEnrolmentIds(int64_t after_id, size_t limit) = 0;
  // Paused enrolments whose pause ended at `now` or earlier.
  virtual StatusOr<std::vector<Enrolment>> PausesOver(TimePoint now, size_t limit) = 0;
  // For the rule: each of `lead_ids`' history in the sequence.
  virtual StatusOr<std::map<int64_t, EnrolmentHistory>> EnrolmentHistories(
      int64_t sequence_id, std::span<const int64_t> lead_ids) = 0;

  virtual StatusOr<std::vector<StepRun>> ListStepRuns(int64_t enrolment_id) = 0;
  // Calls and tasks handed to `assignee_id` (all when nullopt), open ones only when
  // `open_only`, newest first.
  virtual StatusOr<std::vector<StepTask>> ListTasks(std::optional<int64_t> assignee_id,
                                                    bool open_only, size_t limit) = 0;
  virtual StatusOr<std::optional<StepRun>> GetStepRun(int64_t id) = 0;
  // Marks a call or task done at `at`: false when it was done already.
  virtual StatusOr<bool> MarkStepDone(int64_t id, TimePoint at) = 0;
};

}  // namespace tandem
