#include "cli/command.h"

namespace blackout::cli {

void RegisterDetectCommands(CLI::App& app, Context& ctx) {
  (void)app;
  (void)ctx;
}

}  // namespace blackout::cli
