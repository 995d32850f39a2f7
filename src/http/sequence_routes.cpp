#include "http/sequence_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/email_json.h"
#include "http/query_params.h"
#include "http/sequence_json.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

json StepSchema() {
  return s::Object({{"kind", s::Enum({"email", "call", "task"})},
                    {"wait_days", s::Integer("business days after the previous step (0–365)")},
                    {"template", s::String("email: the template key (its latest version is sent)")},
                    {"note", s::String("call, task: what to do")}});
}

json SequenceSchema() {
  return s::Object({{"id", s::String("sq_<n>")},
                    {"name", s::String()},
                    {"kind", s::Enum({"nurture", "one_to_one"})},
                    {"owner_id", s::NullableString("one_to_one: the rep, usr_<n>")},
                    {"filter_id", s::NullableString("the rule: a saved filter, flt_<n>")},
                    {"on_refused", s::Enum({"continue", "pause"})},
                    {"state", s::Enum({"active", "paused", "archived"})},
                    {"steps", s::ArrayOf(StepSchema())},
                    {"enrolments", s::AnyObject("enrolments by state")}});
}

json EnrolmentSchema() {
  return s::Object({{"id", s::String("en_<n>")},
                    {"sequence_id", s::String("sq_<n>")},
                    {"lead_id", s::String("ld_<n>")},
                    {"state", s::Enum({"active", "paused", "finished", "exited"})},
                    {"next_step", s::Integer("1-based; null once it ended")},
                    {"due_at", s::NullableString()},
                    {"paused_until", s::NullableString()},
                    {"reason", s::NullableString("why it exited or paused")},
                    {"detail", s::NullableString("the evidence")},
                    {"lead", s::AnyObject("in lists: the lead's name and email")}});
}

json TaskSchema() {
  return s::Object({{"id", s::String("sr_<n>")},
                    {"kind", s::Enum({"call", "task"})},
                    {"lead_id", s::String("ld_<n>")},
                    {"sequence", s::String()},
                    {"note", s::String()},
                    {"done_at", s::NullableString()}});
}

RouteSpec Spec(std::string method, std::string path, std::string summary, json response) {
  RouteSpec spec{.method = std::move(method),
                 .path = std::move(path),
                 .summary = std::move(summary),
                 .tag = "sequences"};
  spec.response = std::move(response);
  for (auto [name, what] : {std::pair{"sequence_id", "sq_<n>"},
                            {"enrolment_id", "en_<n>"},
                            {"task_id", "sr_<n>"},
                            {"id", "ld_<n>"}}) {
    if (spec.path.find(fmt::format("{{{}}}", name)) != std::string::npos) {
      spec.path_params[name] = what;
    }
  }
  return spec;
}

Response WithCounts(Store& store, const StatusOr<Sequence>& s, unsigned status = 200) {
  if (!s.ok()) return ErrorResponse(s.status());
  auto counts = store.CountEnrolments(s->id);
  if (!counts.ok()) return ErrorResponse(counts.status());
  return Json(status, SequenceJson(*s, *counts));
}

}  // namespace

void SequenceRoutes::Register(Router& router) {
  RegisterSequences(router);
  RegisterEnrolments(router);
  RegisterTasks(router);
}

void SequenceRoutes::RegisterSequences(Router& router) {
  auto authed = [this](auto body) { return Authed(store_, clock_, body); };
  router.Add(Spec("GET", "/api/v1/sequences", "Sequences by name, with their enrolments by state",
                  s::PageOf(SequenceSchema())),
             authed([this](const HttpRequest&, const UserRecord&) {
               auto all = store_.ListSequences();
               if (!all.ok()) return ErrorResponse(all.status());
               json out = {{"items", json::array()}, {"next_cursor", nullptr}};
               for (const Sequence& q : *all) {
                 auto counts = store_.CountEnrolments(q.id);
                 if (!counts.ok()) return ErrorResponse(counts.status());
                 out["items"].push_back(SequenceJson(q, *counts));
               }
               return Json(200, out);
             }));
  RouteSpec create = Spec("POST", "/api/v1/sequences",
                          "Create a sequence: steps of emails, calls and tasks over business days",
                          SequenceSchema());
  create.request_body = SequenceSchema();
  create.status = 201;
  create.errors = {400, 403, 409, 422};
  router.Add(std::move(create),
             authed([this](const HttpRequest& r, const UserRecord& u) { return Save(r, u, 0); }));
  RouteSpec get = Spec("GET", "/api/v1/sequences/{sequence_id}", "A sequence", SequenceSchema());
  get.errors = {404};
  router.Add(std::move(get), authed([this](const HttpRequest& r, const UserRecord&) {
               auto id = PathId(r, "sequence_id", "sq_", "sequence");
               if (!id.ok()) return ErrorResponse(id.status());
               return WithCounts(store_, service_.GetOr404(*id));
             }));
  RouteSpec put = Spec("PUT", "/api/v1/sequences/{sequence_id}",
                       "Change a sequence (fields absent stay; steps are replaced as a whole; "
                       "state pauses, resumes or archives it)",
                       SequenceSchema());
  put.request_body = SequenceSchema();
  put.errors = {400, 403, 404, 409, 422};
  router.Add(std::move(put), authed([this](const HttpRequest& r, const UserRecord& u) {
               auto id = PathId(r, "sequence_id", "sq_", "sequence");
               if (!id.ok()) return ErrorResponse(id.status());
               return Save(r, u, *id);
             }));
}

Response SequenceRoutes::Save(const HttpRequest& request, const UserRecord& user, int64_t id) {
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  Sequence s;
  if (id != 0) {
    auto before = service_.GetOr404(id);
    if (!before.ok()) return ErrorResponse(before.status());
    s = std::move(*before);
  }
  if (Status read = ReadSequenceBody(*body, s); !read.ok()) return ErrorResponse(read);
  auto saved = service_.Save(std::move(s), user, clock_.Now());
  if (saved.ok()) changed_();
  return WithCounts(store_, saved, id == 0 ? 201 : 200);
}

void SequenceRoutes::RegisterEnrolments(Router& router) {
  auto authed = [this](auto body) { return Authed(store_, clock_, body); };
  const std::vector<QueryParam> paging = {{"state", "active, paused, finished or exited"},
                                          {"limit", "1 to 500"},
                                          {"cursor", "from the last page"}};
  RouteSpec list = Spec("GET", "/api/v1/sequences/{sequence_id}/enrolments",
                        "Who is in a sequence, newest first", s::PageOf(EnrolmentSchema()));
  list.query = paging;
  list.errors = {400, 404};
  router.Add(std::move(list), authed([this](const HttpRequest& r, const UserRecord&) {
               auto id = PathId(r, "sequence_id", "sq_", "sequence");
               if (!id.ok()) return ErrorResponse(id.status());
               EnrolmentQuery query;
               query.sequence_id = *id;
               return ListEnrolments(r, query);
             }));
  RouteSpec enrol = Spec("POST", "/api/v1/sequences/{sequence_id}/enrolments",
                         "Enrol a lead by hand", EnrolmentSchema());
  enrol.request_body = s::Object({{"lead_id", s::String("ld_<n>")}}, {"lead_id"});
  enrol.status = 201;
  enrol.errors = {400, 403, 404, 409, 422};
  router.Add(std::move(enrol), authed([this](const HttpRequest& r, const UserRecord& u) {
               auto id = PathId(r, "sequence_id", "sq_", "sequence");
               if (!id.ok()) return ErrorResponse(id.status());
               return Enrol(r, u, *id);
             }));
  RouteSpec of_lead =
      Spec("GET", "/api/v1/leads/{id}/enrolments",
           "The lead's sequences: the next step, or why it stopped", s::PageOf(EnrolmentSchema()));
  of_lead.query = paging;
  of_lead.errors = {400, 404};
  router.Add(
      std::move(of_lead),
      LeadAuthed(store_, clock_, [this](const HttpRequest& r, const UserRecord&, int64_t lead) {
        EnrolmentQuery query;
        query.lead_id = lead;
        return ListEnrolments(r, query);
      }));
  RouteSpec get = Spec("GET", "/api/v1/enrolments/{enrolment_id}",
                       "An enrolment and its steps as they ran", EnrolmentSchema());
  get.errors = {404};
  router.Add(std::move(get), authed([this](const HttpRequest& r, const UserRecord&) {
               auto id = PathId(r, "enrolment_id", "en_", "enrolment");
               if (!id.ok()) return ErrorResponse(id.status());
               return GetEnrolment(*id);
             }));
  using Action = SequenceService::Action;
  for (auto [verb, action, summary] :
       {std::tuple{"pause", Action::kPause, "Pause an enrolment where it is"},
        {"resume", Action::kResume, "Resume a paused enrolment: its next step is due now"},
        {"stop", Action::kStop, "Take the lead out of the sequence"}}) {
    RouteSpec spec = Spec("POST", fmt::format("/api/v1/enrolments/{{enrolment_id}}/{}", verb),
                          summary, EnrolmentSchema());
    spec.errors = {403, 404, 409};
    router.Add(std::move(spec), authed([this, action](const HttpRequest& r, const UserRecord& u) {
                 auto id = PathId(r, "enrolment_id", "en_", "enrolment");
                 if (!id.ok()) return ErrorResponse(id.status());
                 auto moved = service_.Act(*id, action, u, clock_.Now());
                 if (!moved.ok()) return ErrorResponse(moved.status());
                 changed_();
                 auto s = store_.GetSequence(moved->sequence_id);
                 const Sequence* seq = s.ok() && *s ? &**s : nullptr;
                 return Json(200, EnrolmentJson(*moved, seq));
               }));
  }
}

Response SequenceRoutes::ListEnrolments(const HttpRequest& request, EnrolmentQuery query) {
  const auto params = ParseQuery(request.query());
  auto limit = IntParam(params, "limit", 50, 1, 500);
  if (!limit.ok()) return ErrorResponse(limit.status());
  query.limit = static_cast<size_t>(*limit);
  if (auto it = params.find("state"); it != params.end()) {
    query.state = ParseEnrolmentState(it->second);
    if (!query.state) {
      return ErrorResponse(400, "invalid_parameter",
                           fmt::format("state \"{}\" is not one of active, paused, finished, "
                                       "exited",
                                       it->second));
    }
  }
  if (auto it = params.find("cursor"); it != params.end()) {
    auto before = ParsePrefixedId(it->second, "");
    if (!before) return ErrorResponse(400, "invalid_cursor", "cursor is not one this list gave");
    query.before_id = *before;
  }
  if (query.sequence_id) {
    if (auto s = service_.GetOr404(*query.sequence_id); !s.ok()) return ErrorResponse(s.status());
  }
  auto rows = store_.ListEnrolments(query);
  if (!rows.ok()) return ErrorResponse(rows.status());
  std::map<int64_t, std::optional<Sequence>> sequences;
  std::map<int64_t, json> leads;
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  for (const Enrolment& e : *rows) {
    if (!sequences.contains(e.sequence_id)) {
      auto s = store_.GetSequence(e.sequence_id);
      if (!s.ok()) return ErrorResponse(s.status());
      sequences[e.sequence_id] = std::move(*s);
    }
    const auto& s = sequences[e.sequence_id];
    json item = EnrolmentJson(e, s ? &*s : nullptr);
    // Who it is, so a list of a sequence's enrolments reads as people.
    if (!leads.contains(e.lead_id)) {
      auto lead = store_.GetLead(e.lead_id);
      if (!lead.ok()) return ErrorResponse(lead.status());
      leads[e.lead_id] =
          *lead ? json{{"name", (*lead)->name}, {"email", (*lead)->email}} : json(nullptr);
    }
    item["lead"] = leads[e.lead_id];
    out["items"].push_back(std::move(item));
  }
  if (rows->size() == query.limit) out["next_cursor"] = std::to_string(rows->back().id);
  return Json(200, out);
}

Response SequenceRoutes::GetEnrolment(int64_t id) {
  auto e = store_.GetEnrolment(id);
  if (!e.ok()) return ErrorResponse(e.status());
  if (!*e)
    return ErrorResponse(404, "not_found", fmt::format("enrolment en_{} does not exist", id));
  auto s = store_.GetSequence((*e)->sequence_id);
  if (!s.ok()) return ErrorResponse(s.status());
  auto runs = store_.ListStepRuns(id);
  if (!runs.ok()) return ErrorResponse(runs.status());
  json out = EnrolmentJson(**e, *s ? &**s : nullptr);
  out["runs"] = json::array();
  for (const StepRun& r : *runs) out["runs"].push_back(StepRunJson(r));
  return Json(200, out);
}

Response SequenceRoutes::Enrol(const HttpRequest& request, const UserRecord& user,
                               int64_t sequence_id) {
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto lead_text = StringField(*body, "lead_id");
  if (!lead_text.ok()) return ErrorResponse(lead_text.status());
  if (lead_text->empty())
    return ErrorResponse(422, "invalid_field", "lead_id is required (ld_<n>)");
  auto lead_id = FindLeadId(store_, *lead_text);
  if (!lead_id.ok()) return ErrorResponse(lead_id.status());
  auto s = service_.GetOr404(sequence_id);
  if (!s.ok()) return ErrorResponse(s.status());
  auto e = service_.EnrolByHand(*s, *lead_id, user, clock_.Now());
  if (!e.ok()) return ErrorResponse(e.status());
  changed_();
  return Json(201, EnrolmentJson(*e, &*s));
}

void SequenceRoutes::RegisterTasks(Router& router) {
  auto authed = [this](auto body) { return Authed(store_, clock_, body); };
  RouteSpec list =
      Spec("GET", "/api/v1/sequence-tasks",
           "Calls and tasks sequences handed to people, newest first", s::PageOf(TaskSchema()));
  list.query = {{"assignee", "me (the default), usr_<n>, or all"},
                {"open", "true (the default): not done yet; false: all"},
                {"limit", "1 to 500"}};
  list.errors = {400};
  router.Add(std::move(list),
             authed([this](const HttpRequest& r, const UserRecord& u) { return ListTasks(r, u); }));
  RouteSpec done = Spec("POST", "/api/v1/sequence-tasks/{task_id}/done", "Mark a call or task done",
                        TaskSchema());
  done.errors = {403, 404, 409};
  router.Add(std::move(done), authed([this](const HttpRequest& r, const UserRecord& u) {
               auto id = PathId(r, "task_id", "sr_", "task");
               if (!id.ok()) return ErrorResponse(id.status());
               return TaskDone(u, *id);
             }));
}

Response SequenceRoutes::ListTasks(const HttpRequest& request, const UserRecord& user) {
  const auto params = ParseQuery(request.query());
  auto limit = IntParam(params, "limit", 50, 1, 500);
  if (!limit.ok()) return ErrorResponse(limit.status());
  std::optional<int64_t> assignee = user.id;
  if (auto it = params.find("assignee"); it != params.end() && it->second != "me") {
    if (it->second == "all") {
      assignee.reset();
    } else if (auto id = ParsePrefixedId(it->second, "usr_")) {
      assignee = *id;
    } else {
      return ErrorResponse(400, "invalid_parameter", "assignee must be me, all or usr_<n>");
    }
  }
  bool open_only = true;
  if (auto it = params.find("open"); it != params.end()) {
    if (it->second != "true" && it->second != "false") {
      return ErrorResponse(400, "invalid_parameter", "open must be true or false");
    }
    open_only = it->second == "true";
  }
  auto tasks = store_.ListTasks(assignee, open_only, static_cast<size_t>(*limit));
  if (!tasks.ok()) return ErrorResponse(tasks.status());
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  for (const StepTask& t : *tasks) {
    json j = StepRunJson(t.run);
    j["sequence"] = t.sequence_name;
    out["items"].push_back(std::move(j));
  }
  return Json(200, out);
}

Response SequenceRoutes::TaskDone(const UserRecord& user, int64_t task_id) {
  auto run = store_.GetStepRun(task_id);
  if (!run.ok()) return ErrorResponse(run.status());
  if (!*run || !(*run)->assignee_id || (*run)->outcome != "reminded") {
    return ErrorResponse(404, "not_found", fmt::format("task sr_{} does not exist", task_id));
  }
  const bool manager = user.role == Role::kAdmin || user.role == Role::kSalesManager;
  if (*(*run)->assignee_id != user.id && !manager) {
    return ErrorResponse(403, "forbidden",
                         fmt::format("task sr_{} is usr_{}'s; only they or a sales manager mark "
                                     "it done",
                                     task_id, *(*run)->assignee_id));
  }
  auto done = store_.MarkStepDone(task_id, clock_.Now());
  if (!done.ok()) return ErrorResponse(done.status());
  if (!*done)
    return ErrorResponse(409, "already_done", fmt::format("task sr_{} is done already", task_id));
  auto after = store_.GetStepRun(task_id);
  if (!after.ok()) return ErrorResponse(after.status());
  return Json(200, StepRunJson(**after));
}

}  // namespace tandem::http
