#include <fmt/format.h>

#include <algorithm>

#include "core/text.h"
#include "core/time_format.h"
#include "core/zones.h"
#include "identity/email.h"
#include "leads/lead_json.h"
#include "leads/lead_session.h"
#include "rules/condition.h"

namespace tandem {
namespace {

// What the scorer and the traits need of an event's message.
struct ParsedEvent {
  nlohmann::json message;
  EventFacts facts;
};

ParsedEvent Parse(const StoredEvent& event) {
  ParsedEvent p;
  p.message = nlohmann::json::parse(event.record.payload, nullptr, false);
  if (p.message.is_discarded() || !p.message.is_object()) p.message = nlohmann::json::object();
  p.facts.id = event.id;
  p.facts.type = event.record.type;
  p.facts.name = event.record.event;
  if (p.facts.name.empty() && event.record.type == "page")
    p.facts.name = FieldText(p.message, "name");
  p.facts.path = FieldText(p.message, "context.page.path");
  if (p.facts.path.empty()) p.facts.path = FieldText(p.message, "properties.path");
  p.facts.at = event.record.timestamp;
  return p;
}

nlohmann::json IncomingTraits(const StoredEvent& event, const nlohmann::json& message) {
  const nlohmann::json* traits = event.record.type == "identify"
                                     ? FindField(message, "traits")
                                     : FindField(message, "context.traits");
  if (traits == nullptr || !traits->is_object()) return nlohmann::json::object();
  return NormalizeTraits(*traits);
}

}  // namespace

std::string Actor::Name() const {
  if (user) return "user:" + UserIdText(user->id);
  return automation.empty() ? "system" : automation;
}

StatusOr<bool> LeadEngine::Session::Load(int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lead, txn_.GetLead(lead_id));
  if (!lead) return false;
  lead_ = std::move(*lead);
  traits_ = nlohmann::json::parse(lead_.traits, nullptr, false);
  if (traits_.is_discarded() || !traits_.is_object()) traits_ = nlohmann::json::object();
  return true;
}

void LeadEngine::Session::Create(int64_t person_id, std::string_view email) {
  lead_ = LeadRecord();
  lead_.id = person_id;
  lead_.email = std::string(email);
  lead_.stage = Stage::kLead;
  lead_.created_at = now_;
  lead_.updated_at = now_;
  traits_ = nlohmann::json::object();
  if (!email.empty()) traits_["email"] = std::string(email);
  traits_changed_ = true;
}

Stage LeadEngine::Session::stage() const { return lead_.stage; }

double LeadEngine::Session::Engagement() const {
  return EngagementFromRef(lead_.engagement_ref, now_, rules_->scoring.half_life_days);
}

Status LeadEngine::Session::Rebuild() {
  TANDEM_RETURN_IF_ERROR(txn_.DeleteScoreItems(lead_.id, ScoreAxis::kEngagement));
  lead_.engagement_ref = 0;
  lead_.first_touch.clear();
  lead_.last_touch.clear();
  lead_.visits = 0;
  TANDEM_ASSIGN_OR_RETURN(auto events, txn_.PersonEvents(lead_.id, kPersonHistoryLimit));
  for (const StoredEvent& e : events) TANDEM_RETURN_IF_ERROR(ApplyEvent(e));
  // Inbound touches (the lead replied or called) count as engagement too.
  TANDEM_ASSIGN_OR_RETURN(auto touches, txn_.ListTouches(lead_.id, TimePoint{}));
  for (const TouchRecord& t : touches) {
    // Only touches that earned their points: recorded by the owner or a manager, or
    // confirmed by one since.
    if (t.direction == "inbound" &&
        (t.score_status == "counted" || t.score_status == "confirmed")) {
      TANDEM_RETURN_IF_ERROR(CountInboundTouch(t));
    }
  }
  // And what the lead did with email Tandem sent.
  TANDEM_ASSIGN_OR_RETURN(auto signals, txn_.ListEmailSignals(lead_.id));
  for (const EmailSignal& signal : signals) TANDEM_RETURN_IF_ERROR(CountEmailSignal(signal));
  return OkStatus();
}

// The engagement `facts` earn, capped per rule and day; the items name `event_id`, or
// else `cause`.
Status LeadEngine::Session::Earn(const EventFacts& facts, std::optional<int64_t> event_id,
                                 const std::string& cause) {
  const ScoringConfig& config = rules_->scoring;
  const int64_t day = UtcDay(facts.at);
  for (const EngagementRule* rule : MatchingEngagementRules(config, facts)) {
    double already = 0;
    if (rule->cap_per_day > 0) {
      TANDEM_ASSIGN_OR_RETURN(already, txn_.RulePointsOnDay(lead_.id, rule->name, day));
    }
    double points = CappedPoints(*rule, already);
    if (points == 0) continue;
    ScoreItem item;
    item.axis = ScoreAxis::kEngagement;
    item.rule = rule->name;
    item.points = points;
    item.at = facts.at;
    item.event_id = event_id;
    item.trait = cause;
    TANDEM_RETURN_IF_ERROR(txn_.AddScoreItem(lead_.id, item));
    lead_.engagement_ref += EngagementRef(points, facts.at, now_, config.half_life_days);
  }
  return OkStatus();
}

// A signal is scored as the track event of its name, its message carrying the email and
// the link as properties (rules may look at them: "properties.link_url").
Status LeadEngine::Session::CountEmailSignal(const EmailSignal& signal) {
  nlohmann::json message = {{"type", "track"}, {"event", signal.event}};
  nlohmann::json& properties = message["properties"] = nlohmann::json::object();
  if (!signal.email_id.empty()) properties["email_id"] = signal.email_id;
  if (!signal.link_url.empty()) properties["link_url"] = signal.link_url;
  EventFacts facts;
  facts.type = "track";
  facts.name = signal.event;
  facts.at = signal.at;
  facts.message = &message;
  TANDEM_RETURN_IF_ERROR(
      Earn(facts, std::nullopt, signal.email_id.empty() ? "email" : "email=" + signal.email_id));
  if (!lead_.last_activity_at || *lead_.last_activity_at < signal.at) {
    lead_.last_activity_at = signal.at;
  }
  return OkStatus();
}

Status LeadEngine::Session::ApplyEvent(const StoredEvent& event) {
  const ScoringConfig& config = rules_->scoring;
  ParsedEvent parsed = Parse(event);
  parsed.facts.message = &parsed.message;
  const TimePoint at = event.record.timestamp;

  // Traits, with their history.
  nlohmann::json incoming = IncomingTraits(event, parsed.message);
  // The browser's time zone (context.timezone) stands in until the lead has one.
  if (!traits_.contains("timezone") && !incoming.contains("timezone")) {
    const nlohmann::json* zone = FindField(parsed.message, "context.timezone");
    if (zone != nullptr && zone->is_string() && TimeZone::Find(zone->get<std::string>())) {
      incoming["timezone"] = *zone;
    }
  }
  if (!incoming.empty()) {
    for (const std::string& name : MergeTraits(traits_, incoming)) {
      std::string value = FieldText(traits_, name);
      TANDEM_RETURN_IF_ERROR(txn_.AddTraitHistory(lead_.id, name, value, event.id, at));
      traits_changed_ = true;
    }
  }

  // Attribution: the first visit and the latest one from somewhere.
  if (auto touch = TouchFromMessage(parsed.message, at, event.id, lead_.first_touch.empty())) {
    std::string json = TouchToJson(*touch).dump();
    if (lead_.first_touch.empty()) lead_.first_touch = json;
    nlohmann::json last = lead_.last_touch.empty()
                              ? nlohmann::json()
                              : nlohmann::json::parse(lead_.last_touch, nullptr, false);
    auto last_at = last.is_object() ? ParseIsoTime(FieldText(last, "at")) : std::nullopt;
    if (!last_at || *last_at <= at) lead_.last_touch = json;
    ++lead_.visits;
  }

  TANDEM_RETURN_IF_ERROR(Earn(parsed.facts, event.id, ""));

  if (event.id >= hand_raise_from_ && IsHandRaise(config, parsed.facts)) {
    hand_raise_ = true;
    std::string form = FieldText(parsed.message, "properties.form");
    trigger_ = form.empty()
                   ? fmt::format("hand-raise: {} (event {})", parsed.facts.name, event.id)
                   : fmt::format("hand-raise: {} {} (event {})", parsed.facts.name, form, event.id);
  }
  if (!lead_.last_activity_at || *lead_.last_activity_at < at) lead_.last_activity_at = at;
  return OkStatus();
}

Status LeadEngine::Session::EditTraits(const nlohmann::json& traits, const Actor& actor) {
  std::vector<std::string> changed = MergeTraits(traits_, NormalizeTraits(traits));
  for (const std::string& name : changed) {
    TANDEM_RETURN_IF_ERROR(
        txn_.AddTraitHistory(lead_.id, name, FieldText(traits_, name), std::nullopt, now_));
  }
  if (changed.empty()) return OkStatus();
  traits_changed_ = true;
  return Log("traits_changed", actor, {{"traits", changed}});
}

Status LeadEngine::Session::RefreshFit(bool force) {
  if (!traits_changed_ && !force) return OkStatus();
  // Columns the API filters and shows.
  lead_.name = FieldText(traits_, "name");
  lead_.title = FieldText(traits_, "title");
  lead_.company_name = FieldText(traits_, "company.name");
  lead_.country = CountryOf(traits_);
  lead_.company_size = CompanySizeBand(traits_);
  // Only a usable address (at most 254 characters) replaces the lead's email.
  if (std::string email = NormalizeEmail(FieldText(traits_, "email")); !email.empty()) {
    lead_.email = email;
  }
  std::string domain = AccountDomainFor(traits_, lead_.email);
  if (!domain.empty() && domain != lead_.account_domain) {
    TANDEM_RETURN_IF_ERROR(txn_.EnsureAccount(domain, lead_.company_name, now_));
  }
  lead_.account_domain = domain;

  std::vector<ScoreItem> items = FitItems(rules_->scoring, traits_, now_);
  double fit = 0;
  for (const ScoreItem& item : items) fit += item.points;
  TANDEM_ASSIGN_OR_RETURN(auto old_items, txn_.ListScoreItems(lead_.id));
  // Rewrite only when the set of rules that hold changed, so "at" stays the moment a
  // rule started to hold.
  std::vector<std::string> before, after;
  for (const ScoreItem& i : old_items) {
    if (i.axis == ScoreAxis::kFit) before.push_back(i.rule + "\n" + i.trait);
  }
  for (const ScoreItem& i : items) after.push_back(i.rule + "\n" + i.trait);
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  if (before != after || force) {
    TANDEM_RETURN_IF_ERROR(txn_.DeleteScoreItems(lead_.id, ScoreAxis::kFit));
    for (const ScoreItem& item : items) TANDEM_RETURN_IF_ERROR(txn_.AddScoreItem(lead_.id, item));
    if (fit != lead_.fit) {
      TANDEM_RETURN_IF_ERROR(
          Log("score_changed", Actor{},
              {{"axis", "fit"}, {"from", RoundPoints(lead_.fit)}, {"to", RoundPoints(fit)}}));
    }
  }
  lead_.fit = fit;
  traits_changed_ = false;
  return OkStatus();
}

Status LeadEngine::Session::Qualify(const Actor& actor, bool revisit) {
  const ScoringConfig& config = rules_->scoring;
  Stage current = stage();
  const bool revisit_due = !lead_.revisit_on || *lead_.revisit_on <= now_;
  bool eligible = current == Stage::kSubscriber || current == Stage::kLead ||
                  (current == Stage::kRecycled && (hand_raise_ || revisit_due));
  returning_ = current == Stage::kRecycled;
  const double engagement = Engagement();
  const double total = lead_.fit + engagement;
  if (eligible && hand_raise_) {
    lead_.priority = "hot";
    TANDEM_RETURN_IF_ERROR(SetStage(Stage::kMql, actor, trigger_, ""));
  } else if (eligible && MeetsMql(config, lead_.fit, engagement)) {
    lead_.priority = config.hot_total > 0 && total >= config.hot_total ? "hot" : "mql";
    std::string cause = fmt::format("score: fit {:.2f} >= {:g} and engagement {:.2f} >= {:g}",
                                    lead_.fit, config.mql_fit, engagement, config.mql_engagement);
    TANDEM_RETURN_IF_ERROR(SetStage(Stage::kMql, actor, cause, ""));
  } else if (revisit && current == Stage::kRecycled && revisit_due) {
    lead_.priority = "mql";
    TANDEM_RETURN_IF_ERROR(SetStage(
        Stage::kMql, actor,
        fmt::format("revisit: the date set when it was recycled ({})",
                    lead_.revisit_on ? FormatIsoTime(*lead_.revisit_on).substr(0, 10) : "none"),
        ""));
  } else if (current == Stage::kMql && hand_raise_ && lead_.priority != "hot") {
    // Already qualified, now asking for sales: more urgent.
    TANDEM_RETURN_IF_ERROR(Log("priority_changed", actor,
                               {{"from", lead_.priority}, {"to", "hot"}, {"cause", trigger_}}));
    lead_.priority = "hot";
  } else {
    returning_ = false;
    return OkStatus();
  }
  if (!lead_.owner_id && !lead_.queued) TANDEM_RETURN_IF_ERROR(Route(actor));
  return OkStatus();
}

Status LeadEngine::Session::SetStage(Stage to, const Actor& actor, std::string_view cause,
                                     std::string_view reason, std::optional<int64_t> amount_cents) {
  Stage from = stage();
  if (from == to) return OkStatus();
  TANDEM_RETURN_IF_ERROR(CheckTransition(from, to));
  lead_.stage = to;
  lead_.stage_reason = std::string(reason);
  if (to != Stage::kRecycled) lead_.revisit_on.reset();
  if (to == Stage::kMql) lead_.mql_at = now_;
  if (to != Stage::kMql && FunnelRank(to) < FunnelRank(Stage::kMql)) lead_.priority.clear();
  nlohmann::json data = {{"from", StageName(from)}, {"to", StageName(to)}, {"cause", cause}};
  if (!reason.empty()) data["reason"] = reason;
  TANDEM_RETURN_IF_ERROR(Log("stage_changed", actor, data));
  // The same move as a typed fact for the reports (analytics/facts/stage_transition.h).
  StageTransition transition;
  transition.lead_id = lead_.id;
  transition.from = from;
  transition.to = to;
  transition.at = now_;
  if (actor.user) transition.by_user_id = actor.user->id;
  transition.cause = std::string(cause);
  transition.reason = std::string(reason);
  transition.amount_cents = amount_cents;
  TANDEM_RETURN_IF_ERROR(txn_.AddStageTransition(transition));
  // The experiments the person was exposed to count the move (experiments/).
  TANDEM_RETURN_IF_ERROR(txn_.NoteStageReached(lead_.id, to, now_, amount_cents));
  if (to == Stage::kMql) TANDEM_RETURN_IF_ERROR(Emit("lead.mql", {{"cause", cause}}));
  return Emit("lead.stage_changed", {{"from", StageName(from)},
                                     {"to", StageName(to)},
                                     {"cause", cause},
                                     {"reason", reason},
                                     {"actor", actor.Name()}});
}

Status LeadEngine::Session::Log(std::string_view kind, const Actor& actor, nlohmann::json data) {
  LeadLogEntry entry;
  entry.lead_id = lead_.id;
  entry.at = now_;
  entry.kind = std::string(kind);
  entry.actor = actor.Name();
  entry.data = data.dump();
  return txn_.AppendLog(entry);
}

Status LeadEngine::Session::Emit(std::string_view type, nlohmann::json extra, bool keep) {
  if (!engine_.outbox_.Wanted(type, keep)) return OkStatus();
  lead_.traits = traits_.dump();
  TANDEM_ASSIGN_OR_RETURN(auto items, txn_.ListScoreItems(lead_.id));
  ScoreExplanation score = Explain(std::move(items), rules_->scoring.half_life_days, now_);
  std::optional<UserRecord> owner;
  if (lead_.owner_id) owner = UserById(*lead_.owner_id);
  extra["lead"] = LeadToJson(lead_, owner, score);
  return engine_.outbox_.Write(txn_, type, lead_.id, std::move(extra), now_).status();
}

Status LeadEngine::Session::Save() {
  lead_.traits = traits_.dump();
  lead_.updated_at = now_;
  return txn_.PutLead(lead_);
}

StatusOr<const std::vector<UserRecord>*> LeadEngine::Session::Users() {
  if (!users_) {
    TANDEM_ASSIGN_OR_RETURN(auto users, txn_.ListUsers());
    users_ = std::move(users);
  }
  return &*users_;
}

std::optional<UserRecord> LeadEngine::Session::UserById(int64_t id) {
  auto users = Users();
  if (!users.ok()) return std::nullopt;
  for (const UserRecord& u : **users) {
    if (u.id == id) return u;
  }
  return std::nullopt;
}

}  // namespace tandem
