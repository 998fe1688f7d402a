// The `blackout` command line: each *_cmd.cc registers its subcommands on the CLI11 app. Commands
// parse arguments, call the library, and print; no logic of their own.
//
// Exit codes shared by every command (docs/cli.md):
//   0 ok; 1 input problems found (malformed data reported, sound part processed);
//   2 usage error; 3 runtime failure (store unavailable, I/O error, permission).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "blackout/base/status.h"

namespace blackout::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInputProblems = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitFailure = 3;

// The usual mapping of a library error to an exit code: bad arguments 2, damaged input 1,
// anything else (I/O, store unavailable, ...) 3.
inline int ExitCodeFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kInvalidArgument:
      return kExitUsage;
    case StatusCode::kDataLoss:
      return kExitInputProblems;
    default:
      return kExitFailure;
  }
}

inline constexpr const char* kDefaultStore = "sqlite:./blackout-data/blackout.db";

// Options every command shares; filled by CLI11 before a subcommand's callback runs.
struct Context {
  bool json = false;   // --json: machine-readable output
  int verbose = 0;     // -v (repeatable)
  bool quiet = false;  // -q
  int exit_code = kExitOk;
};

// Each registers one top-level subcommand (and its children). The callback stores its exit code in
// ctx.exit_code.
void RegisterMrtCommands(CLI::App& app, Context& ctx);
void RegisterGeoCommands(CLI::App& app, Context& ctx);
void RegisterStoreCommands(CLI::App& app, Context& ctx);     // import, export
void RegisterBgpCommands(CLI::App& app, Context& ctx);       // ingest bgp, fetch bgp
void RegisterDetectCommands(CLI::App& app, Context& ctx);    // detect
void RegisterEvaluateCommands(CLI::App& app, Context& ctx);  // evaluate
void RegisterProbeCommands(CLI::App& app, Context& ctx);
void RegisterServiceCommands(CLI::App& app, Context& ctx);  // run, serve, simulate
void RegisterReportCommands(CLI::App& app, Context& ctx);   // report (blackout_report)
void RegisterRisLiveCommands(CLI::App& app, Context& ctx);  // ris-live (blackout_rislive)
void RegisterOoniCommands(CLI::App& app, Context& ctx);     // import ooni, fetch ooni
void RegisterDarknetCommands(CLI::App& app, Context& ctx);  // ingest darknet
void RegisterBmpCommands(CLI::App& app, Context& ctx);      // bmp read, bmp listen
void RegisterNotifyCommands(CLI::App& app, Context& ctx);   // subscribe, import annotations

// Adds --store URL (default kDefaultStore) to a subcommand.
inline CLI::Option* AddStoreOption(CLI::App* sub, std::string* store) {
  *store = kDefaultStore;
  return sub
      ->add_option("--store", *store, "Store URL: sqlite:PATH or clickhouse:http://HOST:PORT/DB")
      ->capture_default_str();
}

}  // namespace blackout::cli
