#include "cli/command.h"

namespace blackout::cli {

void RegisterServiceCommands(CLI::App& app, Context& ctx) {
  (void)app;
  (void)ctx;
}

}  // namespace blackout::cli
