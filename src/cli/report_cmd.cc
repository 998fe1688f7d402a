// `blackout report ENTITY --from T --until T [--out DIR] [--config DETECT.toml]`: a Markdown
// statement and a PNG chart of one entity's measured events (docs/report.md).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "blackout/base/time.h"
#include "blackout/detect/config.h"
#include "blackout/report/report.h"
#include "blackout/store/store.h"
#include "cli/command.h"
#include "cli/helpful.h"

namespace blackout::cli {
namespace {

struct ReportArgs {
  std::string entity;
  std::string from;
  std::string until;
  std::string out = ".";
  std::string store;
  std::string config;  // detector TOML; empty = the defaults
  int width = 1200;
  int height = 600;
};

void Run(const ReportArgs& a, Context& ctx) {
  auto fail = [&](int code, const std::string& message) {
    std::fprintf(stderr, "blackout report: %s\n", message.c_str());
    ctx.exit_code = code;
  };
  // country/kz, asn/AS9198 accepted; "Kazakhstan" answered with "did you mean country/KZ?".
  auto entity = ResolveEntity(a.entity);
  if (!entity.ok()) return fail(kExitUsage, entity.status().message());
  auto from = ParseTime(a.from);
  if (!from.ok()) return fail(kExitUsage, "--from: " + from.status().message());
  auto until = ParseTime(a.until);
  if (!until.ok()) return fail(kExitUsage, "--until: " + until.status().message());
  if (*from >= *until) return fail(kExitUsage, "--from must be before --until");

  auto st = OpenExistingStore(a.store, /*read_only=*/true);
  if (!st.ok()) return fail(kExitFailure, st.status().ToString());

  auto config = detect::LoadConfigOrDefault(a.config);
  if (!config.ok()) return fail(ExitCodeFor(config.status()), config.status().ToString());

  report::ReportOptions ro;
  ro.detect = *config;
  ro.width = a.width;
  ro.height = a.height;
  auto r = report::BuildReport(**st, *entity, *from, *until, ro);
  if (!r.ok()) {
    StatusCode c = r.status().code();
    std::string message = r.status().ToString();
    if (c == StatusCode::kNotFound) {
      // Entities the store does hold that look like the one asked for.
      auto known = (*st)->ListEntities("", "");
      std::vector<std::string> near;
      if (known.ok()) near = Nearest(*entity, *known);
      message += near.empty() ? "; `blackout run` fills a store, `blackout import series` adds a "
                                "file's series"
                              : "; did you mean " + near[0] + "?";
    }
    return fail(c == StatusCode::kNotFound          ? kExitInputProblems
                : c == StatusCode::kInvalidArgument ? kExitUsage
                                                    : kExitFailure,
                message);
  }
  if (Status s = report::WriteReport(*r, a.out); !s.ok()) return fail(kExitFailure, s.ToString());
  std::string chart = (std::filesystem::path(a.out) / (r->file_stem + ".png")).string();
  std::string md = (std::filesystem::path(a.out) / (r->file_stem + ".md")).string();
  if (ctx.json) {
    nlohmann::json events = nlohmann::json::array();
    for (const auto& e : r->events) events.push_back(report::EventJson(e, r->name, r->until));
    std::cout << nlohmann::json{{"markdown", r->markdown},
                                {"measured", r->measured},
                                {"chart", chart},
                                {"report", md},
                                {"events", events}}
                     .dump(2)
              << "\n";
  } else if (!ctx.quiet) {
    std::printf("%s\n%s\n", md.c_str(), chart.c_str());
    if (!r->measured && r->events.empty()) {
      // No data is not "no disruption".
      std::printf("no measurements of %s (%s) between %s and %s\n", r->name.c_str(),
                  r->entity.c_str(), FormatIso8601(r->from).c_str(),
                  FormatIso8601(r->until).c_str());
    } else {
      std::printf("%zu event(s) for %s (%s)\n", r->events.size(), r->entity.c_str(),
                  r->name.c_str());
    }
  }
}

}  // namespace

void RegisterReportCommands(CLI::App& app, Context& ctx) {
  static ReportArgs a;
  auto* sub =
      app.add_subcommand("report",
                         "Write a Markdown statement and the PNG chart it links "
                         "(blackout-report-TYPE-CODE-YYYYMMDD-YYYYMMDD.md and .png) of an entity's "
                         "measured events");
  sub->add_option("entity", a.entity,
                  "TYPE/CODE, e.g. country/KZ, region/KZ-ALA, asn/9198 (case-insensitive; "
                  "asn/AS9198 too)")
      ->required();
  sub->add_option("--from", a.from, "Window start: ISO 8601 UTC or Unix seconds")->required();
  sub->add_option("--until", a.until, "Window end (exclusive): ISO 8601 UTC or Unix seconds")
      ->required();
  sub->add_option("--out", a.out, "Output folder (created if missing)")->capture_default_str();
  sub->add_option("--width", a.width, "Chart width in pixels (320-8000)")
      ->capture_default_str()
      ->check(CLI::Range(320, 8000));
  sub->add_option("--height", a.height, "Chart height in pixels (240-8000)")
      ->capture_default_str()
      ->check(CLI::Range(240, 8000));
  sub->add_option("--config", a.config,
                  "Detector configuration (TOML, docs/detect.md; default: built in): the baseline "
                  "the chart and depths are measured against. Use the service's detect_config to "
                  "match the dashboard");
  AddStoreOption(sub, &a.store);
  sub->callback([&ctx] { Run(a, ctx); });
}

}  // namespace blackout::cli
