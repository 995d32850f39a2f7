// SequenceRoutes: sequences over HTTP.
//
//   /api/v1/sequences[/{sequence_id}]                  sequences and their steps
//   /api/v1/sequences/{sequence_id}/enrolments         who is in one; enrol a lead by hand
//   /api/v1/leads/{id}/enrolments                      a lead's sequences, the next step, why it
//   stopped /api/v1/enrolments/{enrolment_id}[/pause|resume|stop]  one enrolment and its steps as
//   they ran /api/v1/sequence-tasks[/{task_id}/done]            calls and tasks the steps handed to
//   people
//
// Everyone signed in reads. Nurture sequences are marketing's and admins'; a one-to-one
// sequence is its rep's (and their managers'). Enrolling, pausing and stopping follow
// who may work the lead.
#pragma once

#include <functional>

#include "core/clock.h"
#include "http/router.h"
#include "sequences/sequence_service.h"
#include "store/store.h"

namespace tandem::http {

class SequenceRoutes {
 public:
  // Everything must outlive the routes; `changed` is called when steps may be due (it
  // wakes the runner).
  SequenceRoutes(Store& store, const SequenceService& service, const Clock& clock,
                 std::function<void()> changed)
      : store_(store), service_(service), clock_(clock), changed_(std::move(changed)) {}

  void Register(Router& router);

 private:
  void RegisterSequences(Router& router);
  void RegisterEnrolments(Router& router);
  void RegisterTasks(Router& router);
  Response Save(const HttpRequest& request, const UserRecord& user, int64_t id);
  Response ListEnrolments(const HttpRequest& request, EnrolmentQuery query);
  Response GetEnrolment(int64_t id);
  Response Enrol(const HttpRequest& request, const UserRecord& user, int64_t sequence_id);
  Response ListTasks(const HttpRequest& request, const UserRecord& user);
  Response TaskDone(const UserRecord& user, int64_t task_id);

  Store& store_;
  const SequenceService& service_;
  const Clock& clock_;
  const std::function<void()> changed_;
};

}  // namespace tandem::http
