#include "cli/command.h"

namespace blackout::cli {

void RegisterProbeCommands(CLI::App& app, Context& ctx) {
  (void)app;
  (void)ctx;
}

}  // namespace blackout::cli
