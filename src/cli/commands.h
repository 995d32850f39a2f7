// The subcommands of the `tandem` binary. Each returns a Status; main maps it to an
// exit code (0 ok, 2 usage or runtime error) and prints the message on stderr.
#pragma once

#include <string>

#include "config/config.h"
#include "core/status.h"

namespace tandem::cli {

Status Serve(const Config& config);
Status Migrate(const Config& config);
Status AddSource(const Config& config, const std::string& name);
Status ListSources(const Config& config);
// Creates the demo workspace (a source and a few days of website history) once.
Status Demo(const Config& config, int64_t events);

}  // namespace tandem::cli
