// What both `blackout` executables share: the top-level CLI11 app with the global options, and
// parsing with the exit codes of docs/cli.md.
//
// There are two executables because of start-up cost. `blackout` itself runs `mrt` and is a static
// PIE of the MRT reader alone, so that `blackout mrt dump` on a 5-minute update file starts as fast
// as bgpdump does (0.8 ms of CPU, where loading the 59 shared libraries of everything takes 10.6
// ms). Every other command, and `blackout --help`, is run by `blackout-full`, which links
// everything (libcurl, cairo, cpp-httplib, SQLite); `blackout` hands over to it with execv, same
// arguments. docs/cli.md explains.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/command.h"

namespace blackout::cli {

// The top-level app: description, --version, --json/-v/-q, footer. Subcommands are added by the
// caller (Register*Commands).
void SetUpApp(CLI::App& app, Context& ctx);

// Parses argv and runs the chosen subcommand; returns the process exit code.
int ParseAndRun(CLI::App& app, int argc, char** argv, Context& ctx);

// The name of the executable that runs every command.
inline constexpr const char* kFullExecutable = "blackout-full";

}  // namespace blackout::cli
