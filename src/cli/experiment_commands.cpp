#include "cli/experiment_commands.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/clock.h"
#include "experiments/experiment_service.h"
#include "http/email_json.h"
#include "http/experiment_json.h"
#include "http/experiment_routes.h"

namespace tandem::cli {
namespace {

using nlohmann::json;

StatusOr<int64_t> ParseId(const std::string& text) {
  std::optional<int64_t> id = http::ParsePrefixedId(text, "ex_");
  if (!id) id = http::ParsePrefixedId("ex_" + text, "ex_");
  if (!id)
    return InvalidArgument("invalid_id",
                           fmt::format("\"{}\" is not an experiment id (ex_<n>)", text));
  return *id;
}

StatusOr<json> ReadBody(const std::string& file) {
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(file);
    if (!in) return InvalidArgument("unreadable_file", fmt::format("cannot read {}", file));
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  json body = json::parse(text, nullptr, false);
  if (!body.is_object()) {
    return InvalidArgument("invalid_json", fmt::format("{}: not a JSON object", file));
  }
  return body;
}

std::string Interval(const json& effect) {
  auto bound = [](const json& b) {
    return b.is_null() ? std::string("?") : fmt::format("{:+.4f}", b.get<double>());
  };
  return fmt::format("{:+.4f} [{}, {}]", effect["estimate"].get<double>(), bound(effect["low"]),
                     bound(effect["high"]));
}

// A result for a person: the decision, then each arm's counts and effect.
void PrintSummary(const json& r) {
  const json& e = r["experiment"];
  std::cout << fmt::format("{} v{} ({}, {} within {} days): {}", e["key"].get<std::string>(),
                           e["version"].get<int>(), e["state"].get<std::string>(),
                           e["metric"].get<std::string>(), e["window_days"].get<int>(),
                           r["decision"].get<std::string>());
  if (!r["winner"].is_null()) std::cout << ", winner " << r["winner"].get<std::string>();
  std::cout << "\n";
  for (const json& arm : r["arms"]) {
    std::cout << fmt::format("  {:<16} assigned {:>8}  exposed {:>8}  reached {:>8}  conflicted {}",
                             arm["variant"].get<std::string>(), arm["assigned"].get<int64_t>(),
                             arm["exposed"].get<int64_t>(), arm["primary"].get<int64_t>(),
                             arm["conflicted"].get<int64_t>());
    if (arm.contains("effect")) std::cout << "  effect " << Interval(arm["effect"]);
    std::cout << "\n";
  }
  const json& ratio = r["sample_ratio"];
  std::cout << fmt::format("  sample ratio: assigned p={:.4g}, exposed p={:.4g}, cause {}\n",
                           ratio["assigned"]["p_value"].get<double>(),
                           ratio["exposed"]["p_value"].get<double>(),
                           ratio["cause"].get<std::string>());
  for (const json& w : r["warnings"]) std::cout << "  note: " << w.get<std::string>() << "\n";
}

}  // namespace

Status RunExperimentCommand(const Config& config, const std::string& action,
                            const ExperimentArgs& args) {
  TANDEM_ASSIGN_OR_RETURN(auto store, OpenExistingStore(config));
  const ExperimentService service(*store);
  const SystemClock clock;
  if (action == "list") {
    TANDEM_ASSIGN_OR_RETURN(auto all, store->ListExperiments());
    for (const Experiment& e : all) {
      std::cout << fmt::format("ex_{}\t{}\tv{}\t{}\t{}\t{}\n", e.id, e.key, e.version,
                               ExperimentKindName(e.kind), ExperimentStateName(e.state), e.name);
    }
    return OkStatus();
  }
  StatusOr<Experiment> done = Internal("no action");
  if (action == "create" || action == "version") {
    TANDEM_ASSIGN_OR_RETURN(json body, ReadBody(args.file));
    Experiment e;
    int64_t id = 0;
    if (action == "version") {
      TANDEM_ASSIGN_OR_RETURN(id, ParseId(args.id));
      TANDEM_ASSIGN_OR_RETURN(e, service.GetOr404(id));
    }
    TANDEM_RETURN_IF_ERROR(http::ReadExperimentBody(body, e, action == "create"));
    TANDEM_RETURN_IF_ERROR(http::CheckExperimentTarget(*store, e));
    done = action == "create" ? service.Create(std::move(e), std::nullopt, clock.Now())
                              : service.NewVersion(id, std::move(e), std::nullopt, clock.Now());
  } else {
    TANDEM_ASSIGN_OR_RETURN(int64_t id, ParseId(args.id));
    if (action == "start") {
      TANDEM_ASSIGN_OR_RETURN(Experiment e, service.GetOr404(id));
      TANDEM_RETURN_IF_ERROR(http::CheckExperimentTarget(*store, e));
      done = service.Start(id, clock.Now());
    }
    if (action == "stop") done = service.Stop(id, clock.Now());
    if (action == "results") {
      TANDEM_ASSIGN_OR_RETURN(Experiment e, service.GetOr404(id));
      TANDEM_ASSIGN_OR_RETURN(ExperimentResult result, service.Results(e));
      const json out = http::ResultJson(e, result);
      if (args.format == "json") {
        std::cout << out.dump(2) << "\n";
      } else {
        PrintSummary(out);
      }
      return OkStatus();
    }
  }
  if (!done.ok()) return done.status();
  std::cout << http::ExperimentJson(*done).dump(2) << "\n";
  return OkStatus();
}

}  // namespace tandem::cli
