// `blackout-full`: every command. `blackout` (main.cc) runs `mrt` and `geo` itself and hands any
// other command to this executable (app.h says why).
#include <cstdio>
#include <string>

#include "cli/app.h"
#include "cli/helpful.h"

int main(int argc, char** argv) {
  using namespace blackout::cli;
  CLI::App app;
  Context ctx;
  SetUpApp(app, ctx);
  RegisterMrtCommands(app, ctx);
  RegisterGeoCommands(app, ctx);
  RegisterStoreCommands(app, ctx);
  RegisterBgpCommands(app, ctx);
  RegisterDetectCommands(app, ctx);
  RegisterEvaluateCommands(app, ctx);
  RegisterProbeCommands(app, ctx);
  RegisterServiceCommands(app, ctx);
  RegisterReportCommands(app, ctx);
  RegisterRisLiveCommands(app, ctx);
  RegisterOoniCommands(app, ctx);
  RegisterDarknetCommands(app, ctx);
  RegisterBmpCommands(app, ctx);
  RegisterNotifyCommands(app, ctx);
  // `blackout reprot`: name the command meant instead of "A subcommand is required".
  if (std::string typo = SubcommandTypo(app, argc, argv); !typo.empty()) {
    std::fprintf(stderr, "blackout: %s\n", typo.c_str());
    return kExitUsage;
  }
  return ParseAndRun(app, argc, argv, ctx);
}
