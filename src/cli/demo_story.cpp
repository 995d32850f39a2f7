#include "cli/demo_story.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "metrics/metrics.h"
#include "pipeline/event_pipeline.h"
#include "pipeline/sla_scheduler.h"

namespace tandem::cli {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

// Events arrive, and are processed, ten minutes at a time.
constexpr minutes kSlice{10};

// 0..99, the same for the same lead, round and question: every run tells the same story.
int Roll(int64_t lead_id, int round, int question) {
  uint64_t x = static_cast<uint64_t>(lead_id) * 0x9E3779B97F4A7C15ull +
               static_cast<uint64_t>(round * 16 + question) * 0xBF58476D1CE4E5B9ull;
  x ^= x >> 31;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 29;
  return static_cast<int>(x % 100);
}

// When a rep of the demo (all in Central Europe) gets to something due at `t`: in office
// hours, 08:00-18:00 local (07:00-17:00 UTC), on a weekday.
TimePoint InOfficeHours(TimePoint t) {
  const auto day = std::chrono::floor<days>(t);
  const auto in_day = std::chrono::duration_cast<minutes>(t - day);
  TimePoint at = t;
  if (in_day < hours(7)) at = day + hours(7) + in_day % minutes(45);
  if (in_day >= hours(17)) at = day + days(1) + hours(7) + in_day % minutes(45);
  const std::chrono::weekday weekday{std::chrono::floor<days>(at)};
  if (weekday == std::chrono::Saturday) at += days(2);
  if (weekday == std::chrono::Sunday) at += days(1);
  return at;
}

struct Task {
  enum class Kind { kFirstContact, kOutcome } kind;
  int64_t lead_id = 0;
  int64_t owner_id = 0;  // the owner it was planned for; a reassignment drops it
  int round = 0;         // the lead's how-many-th assignment
  Outcome outcome;
  int attempts = 0;
};

class Story {
 public:
  Story(Store& store, const LeadEngine& engine) : store_(store), engine_(engine) {}

  // Gives every lead routed since the last look its fate: when its owner first reaches it
  // (or that nobody does), then what becomes of it.
  Status PlanNewAssignments(TimePoint now) {
    LeadQuery query;
    query.stages = {Stage::kMql};
    query.sort = LeadQuery::Sort::kId;
    query.limit = 5000;
    query.score_at = now;
    TANDEM_ASSIGN_OR_RETURN(std::vector<LeadRecord> leads, store_.ListLeads(query));
    for (const LeadRecord& lead : leads) {
      if (!lead.owner_id || !lead.sla_due_at) continue;
      auto& seen = planned_[lead.id];
      if (seen == *lead.sla_due_at) continue;  // this assignment has its plan
      seen = *lead.sla_due_at;
      const int round = rounds_[lead.id]++;
      owned_.insert(lead.id);
      // Routed again before anyone reached it: a deadline was missed (or its account moved).
      if (round > 0 && !first_contact_.contains(lead.id)) missed_.insert(lead.id);
      // A lead taken from an owner who let its SLA pass is called at once by the next.
      const int fate = round == 0 ? Roll(lead.id, round, 1) : 0;
      Task task{Task::Kind::kFirstContact, lead.id, *lead.owner_id, round, {}, 0};
      if (fate < 50) {
        // Within the quarter hour a hot lead's first-contact clock gives.
        Add(InOfficeHours(now + minutes(3 + Roll(lead.id, round, 2) % 12)), task);
      } else if (fate < 78) {
        Add(InOfficeHours(now + hours(26) + minutes(Roll(lead.id, round, 3) * 20)), task);
      }
    }
    return OkStatus();
  }

  // Runs every task due before `until`, each at its time (never before `from`).
  Status RunDue(ManualClock& clock, TimePoint from, TimePoint until) {
    while (!agenda_.empty() && agenda_.begin()->first < until) {
      auto next = agenda_.begin();
      Task task = std::move(next->second);
      clock.Set(std::max(next->first, from));
      agenda_.erase(next);
      TANDEM_RETURN_IF_ERROR(Run(task, clock.Now()));
    }
    return OkStatus();
  }

  // Each lead counted once: by its first contact, or as never reached.
  DemoStoryFacts facts() const {
    DemoStoryFacts facts = facts_;
    for (int64_t lead : owned_) {
      if (auto it = first_contact_.find(lead); it == first_contact_.end()) {
        ++facts.never_contacted;
      } else {
        ++(it->second ? facts.contacted_fast : facts.contacted_late);
      }
    }
    return facts;
  }

 private:
  void Add(TimePoint at, Task task) { agenda_.emplace(at, std::move(task)); }

  // The lead, if it is still the planned owner's.
  StatusOr<std::optional<LeadRecord>> StillOwned(const Task& task) {
    TANDEM_ASSIGN_OR_RETURN(std::optional<LeadRecord> lead, store_.GetLead(task.lead_id));
    if (!lead || lead->owner_id != task.owner_id) return std::optional<LeadRecord>();
    return lead;
  }

  StatusOr<UserRecord> User(int64_t id) {
    TANDEM_ASSIGN_OR_RETURN(std::vector<UserRecord> users, store_.ListUsers());
    for (UserRecord& u : users) {
      if (u.id == id) return std::move(u);
    }
    return NotFound("not_found", fmt::format("no user {}", id));
  }

  Status Run(Task& task, TimePoint now) {
    TANDEM_ASSIGN_OR_RETURN(std::optional<LeadRecord> lead, StillOwned(task));
    if (!lead) return OkStatus();
    TANDEM_ASSIGN_OR_RETURN(UserRecord owner, User(task.owner_id));
    return task.kind == Task::Kind::kFirstContact ? FirstContact(task, *lead, owner, now)
                                                  : RecordOutcome(task, *lead, owner, now);
  }

  Status FirstContact(Task& task, const LeadRecord& lead, const UserRecord& owner, TimePoint now) {
    static constexpr std::array<const char*, 4> kNotes = {
        "Talked through how they route leads today; sending the guide",
        "Left a voicemail and sent the guide they asked about",
        "Short call: they want the pricing for 40 seats",
        "Sent the guide they asked about with two questions on their process"};
    const bool call_first = Roll(lead.id, task.round, 4) < 40;
    std::optional<TouchRecord> touch;
    for (Channel channel : {Channel::kCall, Channel::kEmail}) {
      if (channel == Channel::kCall && !call_first) continue;
      TouchInput input{channel, Purpose::kSalesOutreach, "outbound",
                       kNotes[static_cast<size_t>(Roll(lead.id, task.round, 5)) % kNotes.size()]};
      TANDEM_ASSIGN_OR_RETURN(auto txn, store_.BeginLeadTxn());
      TANDEM_ASSIGN_OR_RETURN(TouchResult result,
                              engine_.RecordTouch(*txn, lead.id, Actor{owner}, input, now));
      TANDEM_RETURN_IF_ERROR(txn->Commit());
      if (result.touch) {
        touch = result.touch;
        break;
      }
    }
    if (!touch) {
      // The gate refused (the lead's quiet hours, say): the rep tries again later.
      if (++task.attempts < 24) Add(InOfficeHours(now + hours(1)), task);
      return OkStatus();
    }
    first_contact_.emplace(
        lead.id, !missed_.contains(lead.id) && lead.sla_due_at && now <= *lead.sla_due_at);
    PlanOutcomes(task, lead.id, now);
    return OkStatus();
  }

  // What the owner records after reaching the lead, days apart.
  void PlanOutcomes(const Task& contact, int64_t lead_id, TimePoint contacted) {
    static constexpr std::array<const char*, 4> kRejections = {"bad_fit", "competitor", "student",
                                                               "wrong_contact"};
    const int round = contact.round;
    const double amount = 4000 + 750 * (Roll(lead_id, round, 6) % 9);
    const int path = Roll(lead_id, round, 7);
    std::vector<std::pair<days, Outcome>> steps;
    auto deal = [&](std::vector<std::pair<days, Outcome>> end) {
      steps = {{days(1), {"accepted", "", std::nullopt, std::nullopt}},
               {days(3), {"qualified", "", std::nullopt, std::nullopt}},
               {days(6), {"opportunity", "", amount, std::nullopt}}};
      steps.insert(steps.end(), end.begin(), end.end());
    };
    if (path < 16) {
      deal({{days(15), {"won", "", amount, std::nullopt}}});
    } else if (path < 26) {
      deal({{days(18), {"lost", "no_budget", std::nullopt, std::nullopt}}});
    } else if (path < 36) {
      deal({});
    } else if (path < 50) {
      steps = {{days(1),
                {"rejected", kRejections[static_cast<size_t>(path) % kRejections.size()],
                 std::nullopt, std::nullopt}}};
    } else if (path < 62) {
      const TimePoint revisit = contacted + days(16 + Roll(lead_id, round, 8) % 14);
      steps = {{days(2),
                {"recycled", "not ready until next quarter", std::nullopt,
                 std::chrono::floor<days>(revisit)}}};
    } else if (path < 78) {
      steps = {{days(1), {"accepted", "", std::nullopt, std::nullopt}}};
    }
    for (auto& [after, outcome] : steps) {
      Task task = contact;
      task.kind = Task::Kind::kOutcome;
      task.outcome = std::move(outcome);
      Add(InOfficeHours(contacted + after), std::move(task));
    }
  }

  Status RecordOutcome(const Task& task, const LeadRecord& lead, const UserRecord& owner,
                       TimePoint now) {
    TANDEM_ASSIGN_OR_RETURN(auto txn, store_.BeginLeadTxn());
    auto recorded = engine_.RecordOutcome(*txn, lead.id, Actor{owner}, task.outcome, now);
    if (!recorded.ok()) {
      // A step the lead's stage no longer allows (it moved on its own): the story skips it.
      const StatusCode code = recorded.status().code();
      if (code == StatusCode::kConflict || code == StatusCode::kUnprocessable) {
        return OkStatus();
      }
      return recorded.status();
    }
    TANDEM_RETURN_IF_ERROR(txn->Commit());
    const std::string& d = task.outcome.disposition;
    if (d == "opportunity") ++facts_.open_deals;
    if (d == "won" || d == "lost") --facts_.open_deals;
    if (d == "won") ++facts_.won;
    if (d == "lost") ++facts_.lost;
    if (d == "rejected") ++facts_.rejected;
    if (d == "recycled") ++facts_.recycled;
    return OkStatus();
  }

  Store& store_;
  const LeadEngine& engine_;
  std::multimap<TimePoint, Task> agenda_;
  std::map<int64_t, TimePoint> planned_;   // lead → the SLA deadline of the assignment planned
  std::map<int64_t, int> rounds_;          // lead → assignments planned so far
  std::set<int64_t> owned_;                // leads that had an owner
  std::set<int64_t> missed_;               // leads routed again before anyone reached them
  std::map<int64_t, bool> first_contact_;  // lead → whether its first contact was in time
  DemoStoryFacts facts_;
};

}  // namespace

StatusOr<DemoStoryFacts> PlayDemoStory(Store& store, const LeadEngine& engine,
                                       std::vector<EventRecord> records, TimePoint now) {
  std::stable_sort(records.begin(), records.end(), [](const EventRecord& a, const EventRecord& b) {
    return a.timestamp < b.timestamp;
  });
  const TimePoint start =
      records.empty() ? now : std::chrono::floor<minutes>(records.front().timestamp);
  ManualClock clock(start);
  Metrics metrics;
  EventPipeline::Options options;
  options.leads = &engine;
  EventPipeline pipeline(store, clock, metrics, options);
  SlaScheduler sla(store, engine, clock);
  Story story(store, engine);
  size_t next = 0;
  for (TimePoint from = start; from < now; from += kSlice) {
    const TimePoint until = std::min(from + kSlice, now);
    TANDEM_RETURN_IF_ERROR(story.RunDue(clock, from, until));
    clock.Set(until);
    const size_t first = next;
    while (next < records.size() && records[next].timestamp < until) ++next;
    bool changed = false;
    if (next > first) {
      TANDEM_RETURN_IF_ERROR(
          store.AppendEvents(std::span(records).subspan(first, next - first)).status());
      TANDEM_RETURN_IF_ERROR(pipeline.Drain());
      changed = true;
    }
    TANDEM_ASSIGN_OR_RETURN(size_t fired, sla.FireDue(until));
    if (changed || fired > 0) TANDEM_RETURN_IF_ERROR(story.PlanNewAssignments(until));
  }
  clock.Set(now);
  if (next < records.size()) {
    TANDEM_RETURN_IF_ERROR(
        store.AppendEvents(std::span(records).subspan(next, records.size() - next)).status());
    TANDEM_RETURN_IF_ERROR(pipeline.Drain());
  }
  return story.facts();
}

}  // namespace tandem::cli
