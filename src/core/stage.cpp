#include "core/stage.h"

#include <array>
#include <cstddef>

namespace tandem {
namespace {

constexpr std::array<std::string_view, 9> kNames = {"subscriber", "lead",     "mql",
                                                    "sal",        "sql",      "opportunity",
                                                    "customer",   "recycled", "disqualified"};

}  // namespace

std::string_view StageName(Stage stage) { return kNames[static_cast<size_t>(stage)]; }

std::optional<Stage> ParseStage(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Stage>(i);
  }
  return std::nullopt;
}

int FunnelRank(Stage stage) {
  switch (stage) {
    case Stage::kSubscriber:
    case Stage::kRecycled:
    case Stage::kDisqualified:
      return 0;
    case Stage::kLead:
      return 1;
    case Stage::kMql:
      return 2;
    case Stage::kSal:
      return 3;
    case Stage::kSql:
      return 4;
    case Stage::kOpportunity:
      return 5;
    case Stage::kCustomer:
      return 6;
  }
  return 0;
}

}  // namespace tandem
