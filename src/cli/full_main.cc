// `blackout-full`: every command. `blackout` (main.cc) runs `mrt` and `geo` itself and hands any
// other command to this executable (app.h says why).
#include "cli/app.h"

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
  return ParseAndRun(app, argc, argv, ctx);
}
