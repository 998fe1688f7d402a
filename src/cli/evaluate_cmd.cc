// `blackout evaluate`: scores the detectors on labelled data (docs/detect.md).
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "blackout/base/log.h"
#include "blackout/detect/config.h"
#include "blackout/detect/evaluate.h"
#include "blackout/detect/ioda_csv.h"
#include "cli/command.h"

namespace blackout::cli {

namespace {

struct EvaluateOptions {
  std::string series;
  std::string format = "ioda-csv";
  std::string labels;
  std::string signal;
  std::string config;
};

Result<detect::DetectConfig> LoadConfigOption(const std::string& path) {
  if (path.empty()) return detect::DefaultConfig();
  return detect::LoadConfig(path);
}

int ExitFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kInvalidArgument:
      return kExitUsage;
    case StatusCode::kDataLoss:
      return kExitInputProblems;
    default:
      return kExitFailure;
  }
}

int RunEvaluate(const EvaluateOptions& o, const Context& ctx) {
  if (o.format != "ioda-csv") {
    log::Error("evaluate: unknown --format \"", o.format, "\" (supported: ioda-csv)");
    return kExitUsage;
  }
  std::optional<detect::Signal> only;
  if (!o.signal.empty()) {
    only = detect::ParseSignal(o.signal);
    if (!only) {
      log::Error("evaluate: unknown --signal \"", o.signal,
                 "\" (traffic, darknet, bgp, probe or IODA's names)");
      return kExitUsage;
    }
  }
  auto config = LoadConfigOption(o.config);
  if (!config.ok()) {
    log::Error(config.status().ToString());
    return ExitFor(config.status());
  }
  auto data = detect::ReadIodaCsv(o.series, o.labels);
  if (!data.ok()) {
    log::Error(data.status().ToString());
    return ExitFor(data.status());
  }
  for (const Status& p : data->problems) log::Warn(p.ToString());
  detect::Evaluation ev = detect::Evaluate(*data, *config, only);
  std::string out = ctx.json ? detect::EvaluationJson(ev) + "\n" : detect::EvaluationTable(ev);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return data->problems.empty() ? kExitOk : kExitInputProblems;
}

}  // namespace

void RegisterEvaluateCommands(CLI::App& app, Context& ctx) {
  auto eo = std::make_shared<EvaluateOptions>();
  CLI::App* ev = app.add_subcommand(
      "evaluate",
      "Score the detectors on a labelled series: bin-level precision, recall and F1, event recall "
      "and onset latency, per method (IODA's rule as the baseline) and for the combined detector");
  ev->add_option("--series", eo->series, "Series file (IODA CSV export)")->required();
  ev->add_option("--format", eo->format, "Format of --series")->capture_default_str();
  ev->add_option("--labels", eo->labels, "Label column (1 = outage, 0 = normal, empty = unknown)")
      ->required();
  ev->add_option("--signal", eo->signal, "Only this signal (traffic, darknet, bgp, probe)");
  ev->add_option("--config", eo->config, "Detector configuration (TOML; default: built in)");
  ev->callback([eo, &ctx] { ctx.exit_code = RunEvaluate(*eo, ctx); });
}

}  // namespace blackout::cli
