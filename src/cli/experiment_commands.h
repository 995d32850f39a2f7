// `tandem experiment list|create|version|start|stop|results`: experiments from the
// command line, with the store's own rights, in the API's JSON (create and version read
// the API's body from a file, or "-" for standard input). `results` prints a summary, or
// the API's JSON with --format json.
#pragma once

#include <string>

#include "config/config.h"
#include "core/status.h"

namespace tandem::cli {

struct ExperimentArgs {
  std::string id;    // ex_<n> or <n>
  std::string file;  // the body's JSON
  std::string format = "text";
};

// `action` is "list", "create", "version", "start", "stop" or "results".
Status RunExperimentCommand(const Config& config, const std::string& action,
                            const ExperimentArgs& args);

}  // namespace tandem::cli
