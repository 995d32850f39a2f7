// SequenceService: sequences kept valid, and what people do with enrolments.
//
// A sequence is saved only when every step can run: an email step names a template
// whose purpose fits the sequence (email_marketing for nurture, sales_outreach for a
// rep's one-to-one) and that renders without problems; a call or task says what to do;
// waits are whole business days. Nurture belongs to marketing and admins; a one-to-one
// sequence to its rep, their managers and admins. A lead is enrolled by hand by whoever
// may work it (a one-to-one sequence takes only its rep's own leads), or by the
// sequence's rule (SequenceRunner). Every enrolment, step and exit is on the lead's
// timeline.
//
// Thread-safety: immutable after construction; the store serializes the writes.
#pragma once

#include <optional>

#include "auth/user.h"
#include "email/email_service.h"
#include "sequences/sequence_records.h"
#include "sequences/sequence_store.h"
#include "sequences/sequences_config.h"

namespace tandem {

class SequenceService {
 public:
  // `email` and `store` must outlive the service.
  SequenceService(const EmailService& email, SequenceStore& store, SequencesConfig config)
      : email_(email), store_(store), config_(config) {}

  const SequencesConfig& config() const { return config_; }
  const EmailService& email() const { return email_; }
  SequenceStore& store() const { return store_; }

  // 403 unless `actor` may create or change `sequence` (its kind and owner as saved).
  static Status CheckMayEdit(const UserRecord& actor, const Sequence& sequence);
  // Saves a new sequence (id 0) or a change to one (its steps replaced; enrolments go on
  // from the position they reached): 422 naming the field that is wrong, 409 name_taken.
  StatusOr<Sequence> Save(Sequence sequence, const UserRecord& actor, TimePoint now) const;
  StatusOr<Sequence> GetOr404(int64_t id) const;

  // Enrols lead `lead_id` by hand: 404 no such lead, 403 when `actor` may not, 422 when
  // the sequence is not active or a one-to-one sequence's rep does not own the lead, 409
  // already_enrolled.
  StatusOr<Enrolment> EnrolByHand(const Sequence& sequence, int64_t lead_id,
                                  const UserRecord& actor, TimePoint now) const;
  // Enrols `lead` inside `txn` (`by`: the user, nullopt for the rule): its first step due
  // after the first wait. Nullopt when it is in the sequence already.
  StatusOr<std::optional<Enrolment>> EnrolInTxn(SequenceTxn& txn, const Sequence& sequence,
                                                const LeadRecord& lead, std::optional<int64_t> by,
                                                TimePoint now) const;

  enum class Action { kPause, kResume, kStop };
  // A person pauses, resumes or stops an enrolment: 404, 403 as for enrolling, 409 when
  // its state does not allow it.
  StatusOr<Enrolment> Act(int64_t enrolment_id, Action action, const UserRecord& actor,
                          TimePoint now) const;

  // Moves `e` (as read: `from`) to `to` inside `txn` and notes it on the lead's timeline
  // as `kind` ("sequence_exited", …) by `actor`. False when it had moved meanwhile.
  StatusOr<bool> MoveInTxn(SequenceTxn& txn, const Sequence& sequence, const Enrolment& from,
                           const Enrolment& to, std::string_view kind, const Actor& actor) const;
  // When a step waiting `wait_days` after `from` is due for `lead`, in its time zone.
  StatusOr<TimePoint> DueFor(LeadTxn& txn, const LeadRecord& lead, TimePoint from,
                             int wait_days) const;

 private:
  Status CheckMayEnrol(const UserRecord& actor, const Sequence& sequence,
                       const LeadRecord& lead) const;
  Status CheckSteps(const Sequence& sequence) const;
  // Act once: nullopt when the enrolment moved between the read and the write.
  StatusOr<std::optional<Enrolment>> TryAct(int64_t enrolment_id, Action action,
                                            const UserRecord& actor, TimePoint now) const;

  const EmailService& email_;
  SequenceStore& store_;
  const SequencesConfig config_;
};

// "sq_<id>", as the API names a sequence; "en_<id>" an enrolment.
std::string SequenceRef(int64_t id);
std::string EnrolmentRef(int64_t id);

}  // namespace tandem
