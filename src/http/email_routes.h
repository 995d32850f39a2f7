// EmailRoutes: email over HTTP.
//
//   /api/v1/email-templates[/{key}[/versions/{version}]]  templates, every version kept
//   /api/v1/email-merge-fields                           what a template may merge
//   /api/v1/leads/{id}/emails[/preview]                  one-to-one email, through the gate
//   /api/v1/emails/{email_id}                            one send and its status
//   /api/v1/lead-filters[/{filter_id}]                   saved filters (broadcast audiences)
//   /api/v1/broadcasts[/{broadcast_id}[/audience|preview|test|schedule|pause|resume|
//                      cancel|sends]]                    marketing broadcasts
//
// Everyone signed in reads; templates are written by marketing and admins; broadcasts
// are marketing's and admins'; a one-to-one email is a touch, so the contact gate (and
// its owner rule) decides it. Rendering and checking an email may wait on the network
// (images and links are fetched), so those requests run on threads of their own, never
// on an HTTP thread; when they are all busy and a few wait, the next is answered 503.
#pragma once

#include <functional>
#include <memory>

#include "auth/password_workers.h"
#include "core/clock.h"
#include "email/broadcasts.h"
#include "email/email_service.h"
#include "http/router.h"
#include "store/store.h"

namespace tandem::http {

class EmailRoutes {
 public:
  static constexpr int kThreads = 4;
  static constexpr size_t kWaiting = 16;

  // Everything must outlive the routes. `queued` is called when sends were queued (it
  // wakes the sender); `broadcasts_changed` when a broadcast may have work (the runner).
  EmailRoutes(Store& store, const EmailService& service, const Clock& clock,
              std::function<void()> queued, std::function<void()> broadcasts_changed);
  ~EmailRoutes();

  void Register(Router& router);
  // Answers the requests already queued, then stops their threads. Idempotent.
  void Stop();

 private:
  void RegisterTemplates(Router& router);
  void RegisterLeadEmails(Router& router);
  void RegisterFilters(Router& router);
  void RegisterBroadcasts(Router& router);
  void RegisterBroadcastActions(Router& router);
  // Runs `work` on the email threads and answers with what it returns.
  void OffThread(Responder respond, std::function<Response()> work);

  Response CreateTemplate(const HttpRequest& request, const UserRecord& user);
  Response PutTemplate(const HttpRequest& request, const UserRecord& user);
  Response GetTemplate(const HttpRequest& request);
  Response Preview(const HttpRequest& request, const UserRecord& user, int64_t lead_id);
  Response Send(const HttpRequest& request, const UserRecord& user, int64_t lead_id);
  Response ListLeadEmails(const HttpRequest& request, int64_t lead_id);
  Response PutFilter(const HttpRequest& request, const UserRecord& user, int64_t id);
  Response CreateBroadcast(const HttpRequest& request, const UserRecord& user);
  Response BroadcastPreview(const HttpRequest& request, int64_t broadcast_id);
  Response BroadcastTest(const HttpRequest& request, const UserRecord& user, int64_t broadcast_id);
  Response Schedule(const HttpRequest& request, int64_t broadcast_id);
  Response ListBroadcastSends(const HttpRequest& request, int64_t broadcast_id);

  Store& store_;
  const EmailService& service_;
  const Clock& clock_;
  const std::function<void()> queued_;
  const std::function<void()> broadcasts_changed_;
  std::unique_ptr<PasswordWorkers> workers_;
};

}  // namespace tandem::http
