// The lifecycle stages a lead moves through, and their names as the API, the store and
// the configuration spell them. The vocabulary is shared below leads/: who may move a
// lead to which stage (auth/) and the stages closed to outreach (contact/). Which
// moves are legal is leads/lifecycle.h.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string_view>

namespace tandem {

enum class Stage {
  kSubscriber,
  kLead,
  kMql,
  kSal,
  kSql,
  kOpportunity,
  kCustomer,
  kRecycled,
  kDisqualified
};

// "subscriber", "lead", "mql", "sal", "sql", "opportunity", "customer", "recycled",
// "disqualified".
std::string_view StageName(Stage stage);
std::optional<Stage> ParseStage(std::string_view name);

// How far down the funnel a stage is: subscriber, recycled, disqualified 0; lead 1;
// mql 2; sal 3; sql 4; opportunity 5; customer 6. A lead that moved to a stage has
// reached every stage of a lower rank above 0 on the way, whether or not it stopped there.
int FunnelRank(Stage stage);

// JSON takes the name (StageName), never the number.
void to_json(nlohmann::json& json, Stage stage) = delete;

}  // namespace tandem
