#include "cli/app.h"

#include <string>

#include "blackout/base/log.h"

#ifndef BLACKOUT_VERSION
#define BLACKOUT_VERSION "0.0.0"
#endif

namespace blackout::cli {

void SetUpApp(CLI::App& app, Context& ctx) {
  app.description(
      "blackout: an open Internet-shutdown observatory.\n"
      "Ingests BGP, active-probing and passive measurements, turns them into time series per\n"
      "country, region and network, detects disruptions and publishes them.");
  app.name("blackout");
  app.set_version_flag("--version", std::string("blackout ") + BLACKOUT_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  app.add_flag("--json", ctx.json, "Machine-readable output (JSON)");
  app.add_flag("-v,--verbose", ctx.verbose, "More log output (repeat for debug)");
  app.add_flag("-q,--quiet", ctx.quiet, "Only errors on stderr");
  app.footer(
      "Entities are TYPE/CODE (country/KZ, region/KZ-ALA, asn/9198). Times are ISO 8601 UTC or "
      "Unix\n"
      "seconds. Exit codes: 0 ok, 1 input problems found, 2 usage, 3 runtime failure.");
  app.parse_complete_callback([&ctx] {
    using blackout::log::Level;
    blackout::log::SetLevel(ctx.quiet          ? Level::kError
                            : ctx.verbose >= 2 ? Level::kDebug
                                               : Level::kInfo);
  });
}

int ParseAndRun(CLI::App& app, int argc, char** argv, Context& ctx) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  return ctx.exit_code;
}

}  // namespace blackout::cli
