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

// JSON takes the name (StageName), never the number.
void to_json(nlohmann::json& json, Stage stage) = delete;

}  // namespace tandem
