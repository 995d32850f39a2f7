// `tandem email lint FILE --subject S [--preheader P] [--marketing] [--json]`: the
// pre-send check of a rendered email from the command line, with the sender details of
// the configuration's [email] section. Exit 0 when nothing blocks the send (warnings
// may remain), 1 when a finding is an error, 2 on a usage error or an unreadable file.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "config/config.h"
#include "core/status.h"

namespace tandem::cli {

struct EmailLintArgs {
  std::string file, subject, preheader, engaged_content;
  bool marketing = false;
  bool json = false;
};

// Adds `email lint` to `app`, parsing into `args` (which must outlive the parse); returns
// the `lint` subcommand, parsed() when it was asked for.
CLI::App* AddEmailCommands(CLI::App& app, EmailLintArgs& args);

// Checks the file's HTML and prints every finding on stdout, one a line (or the API's
// JSON answer with `json`); true when none is an error. Fails when the file cannot be read.
StatusOr<bool> LintEmailFile(const Config& config, const EmailLintArgs& args);

}  // namespace tandem::cli
