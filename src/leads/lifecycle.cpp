#include "leads/lifecycle.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <vector>

namespace tandem {
namespace {

using S = Stage;
constexpr S kFromSubscriber[] = {S::kLead, S::kMql, S::kDisqualified};
constexpr S kFromLead[] = {S::kMql, S::kSal, S::kRecycled, S::kDisqualified};
constexpr S kFromMql[] = {S::kSal, S::kRecycled, S::kDisqualified};
constexpr S kFromSal[] = {S::kSql, S::kRecycled, S::kDisqualified};
constexpr S kFromSql[] = {S::kOpportunity, S::kRecycled, S::kDisqualified};
constexpr S kFromOpportunity[] = {S::kCustomer, S::kRecycled, S::kDisqualified};
constexpr S kFromCustomer[] = {S::kRecycled};
constexpr S kFromRecycled[] = {S::kLead, S::kMql, S::kSal, S::kDisqualified};
constexpr S kFromDisqualified[] = {S::kLead, S::kRecycled};

constexpr std::array<std::string_view, 8> kRejectReasons = {
    "bad_fit",   "no_budget", "wrong_contact", "not_ready",
    "duplicate", "spam",      "competitor",    "student"};

constexpr int64_t kDayMs = 86400000;

std::string AllowedList(Stage from) {
  std::vector<std::string_view> names;
  for (Stage s : AllowedNextStages(from)) names.push_back(StageName(s));
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

StatusOr<OutcomePlan> Move(Stage current, Stage to, std::string_view disposition) {
  Status check = CheckTransition(current, to);
  if (!check.ok()) {
    return Conflict(
        "illegal_transition",
        fmt::format("outcome \"{}\" moves a lead to {}, which is not allowed from "
                    "{} (allowed: {})",
                    disposition, StageName(to), StageName(current), AllowedList(current)));
  }
  OutcomePlan plan;
  plan.to = to;
  plan.release_owner = to == Stage::kRecycled || to == Stage::kDisqualified;
  return plan;
}

}  // namespace

std::span<const Stage> AllowedNextStages(Stage from) {
  switch (from) {
    case S::kSubscriber:
      return kFromSubscriber;
    case S::kLead:
      return kFromLead;
    case S::kMql:
      return kFromMql;
    case S::kSal:
      return kFromSal;
    case S::kSql:
      return kFromSql;
    case S::kOpportunity:
      return kFromOpportunity;
    case S::kCustomer:
      return kFromCustomer;
    case S::kRecycled:
      return kFromRecycled;
    case S::kDisqualified:
      return kFromDisqualified;
  }
  return {};
}

Status CheckTransition(Stage from, Stage to) {
  auto next = AllowedNextStages(from);
  if (std::find(next.begin(), next.end(), to) != next.end()) return OkStatus();
  return Conflict("illegal_transition",
                  fmt::format("a lead cannot move from {} to {} (allowed from {}: {})",
                              StageName(from), StageName(to), StageName(from), AllowedList(from)));
}

bool IsOpenForSales(Stage stage) {
  return stage == S::kLead || stage == S::kMql || stage == S::kSal || stage == S::kSql ||
         stage == S::kOpportunity;
}

StatusOr<OutcomePlan> PlanOutcome(Stage current, const Outcome& outcome, TimePoint now) {
  const std::string& d = outcome.disposition;
  auto need_reason = [&]() -> Status {
    if (outcome.reason.empty()) {
      return Unprocessable("reason_required", fmt::format("outcome \"{}\" needs a reason", d));
    }
    return OkStatus();
  };
  auto need_amount = [&]() -> Status {
    if (!outcome.amount || *outcome.amount < 0) {
      return Unprocessable("amount_required",
                           fmt::format("outcome \"{}\" needs an amount of 0 or more", d));
    }
    // Kept in cents; a trillion is more than any deal and far from overflowing.
    if (!(*outcome.amount <= 1e12)) {
      return Unprocessable("invalid_field", "amount is at most 1000000000000");
    }
    return OkStatus();
  };
  StatusOr<OutcomePlan> plan = Status(StatusCode::kInternal, "internal", "unplanned");
  if (d == "accepted") {
    plan = Move(current, S::kSal, d);
  } else if (d == "rejected") {
    TANDEM_RETURN_IF_ERROR(need_reason());
    bool known = std::find(kRejectReasons.begin(), kRejectReasons.end(), outcome.reason) !=
                     kRejectReasons.end() ||
                 outcome.reason.starts_with("other");
    if (!known) {
      return Unprocessable("invalid_reason",
                           fmt::format("reason \"{}\" is not one of {}, other[: text]",
                                       outcome.reason, fmt::join(kRejectReasons, ", ")));
    }
    // Not ready yet is not a bad lead: it goes back to nurture to be revisited.
    bool not_ready = outcome.reason == "not_ready";
    plan = Move(current, not_ready ? S::kRecycled : S::kDisqualified, d);
    if (plan.ok() && not_ready) {
      plan->revisit_on =
          outcome.revisit_on ? outcome.revisit_on : now + std::chrono::milliseconds(90 * kDayMs);
    }
  } else if (d == "qualified") {
    plan = Move(current, S::kSql, d);
  } else if (d == "opportunity") {
    TANDEM_RETURN_IF_ERROR(need_amount());
    plan = Move(current, S::kOpportunity, d);
  } else if (d == "won") {
    TANDEM_RETURN_IF_ERROR(need_amount());
    plan = Move(current, S::kCustomer, d);
  } else if (d == "lost") {
    TANDEM_RETURN_IF_ERROR(need_reason());
    // A lost deal goes back to nurture: it may buy another time.
    plan = Move(current, S::kRecycled, d);
    if (plan.ok()) {
      plan->revisit_on =
          outcome.revisit_on ? outcome.revisit_on : now + std::chrono::milliseconds(180 * kDayMs);
    }
  } else if (d == "recycled") {
    TANDEM_RETURN_IF_ERROR(need_reason());
    if (!outcome.revisit_on) {
      return Unprocessable(
          "revisit_on_required",
          "outcome \"recycled\" needs revisit_on (a date to look at the lead again)");
    }
    plan = Move(current, S::kRecycled, d);
    if (plan.ok()) plan->revisit_on = outcome.revisit_on;
  } else {
    return Unprocessable(
        "invalid_disposition",
        fmt::format("disposition \"{}\" is not one of accepted, rejected, qualified, opportunity, "
                    "won, lost, recycled",
                    d));
  }
  if (plan.ok()) plan->reason = outcome.reason;
  return plan;
}

}  // namespace tandem
