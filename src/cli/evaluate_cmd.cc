// `blackout evaluate`: scores the detectors on labelled data (docs/detect.md), or the events in a
// store against a simulated scenario's truth (--truth, docs/scenario.md).
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "blackout/base/log.h"
#include "blackout/base/time.h"
#include "blackout/curated/agreement.h"
#include "blackout/detect/config.h"
#include "blackout/detect/evaluate.h"
#include "blackout/detect/ioda_csv.h"
#include "blackout/detect/synthetic.h"
#include "blackout/ooni/events.h"
#include "blackout/sim/score.h"
#include "blackout/store/store.h"
#include "cli/command.h"
#include "cli/helpful.h"

namespace blackout::cli {

namespace {

void Print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

struct EvaluateOptions {
  std::string truth;
  std::string store;
  std::string from;
  std::string until;
  int64_t step = 300;
  std::string series;
  std::string format = "ioda-csv";
  std::string labels;
  std::string signal;
  std::string config;
  bool families = false;
  int seeds = 5;
  bool annotations = false;
};

// --annotations: the store's events against the curated lists imported into it (issue 22).
int RunEvaluateAnnotations(const EvaluateOptions& o, const Context& ctx) {
  auto st = OpenExistingStore(o.store, /*read_only=*/true);
  if (!st.ok()) {
    log::Error("evaluate: ", st.status().ToString());
    return kExitFailure;
  }
  auto outages = curated::LoadOutages(**st);
  auto series = (*st)->ListSeries(store::SeriesFilter{});
  store::EventQuery q;
  q.limit = 0;
  auto events = (*st)->QueryEvents(q);
  for (const Status& s : {outages.status(), series.status(), events.status()}) {
    if (!s.ok()) {
      log::Error("evaluate: ", s.ToString());
      return kExitFailure;
    }
  }
  if (outages->empty()) {
    log::Error("evaluate: no curated outages in ", o.store,
               ": import a list first (blackout import annotations FILE --format ...)");
    return kExitUsage;
  }
  // Where the store has data: per entity, from its first to past its last stored bin.
  curated::Coverage coverage;
  for (const store::SeriesInfo& s : *series) {
    auto [it, fresh] = coverage.try_emplace(s.key.entity, s.first, s.last + s.step);
    if (!fresh) {
      it->second.first = std::min(it->second.first, s.first);
      it->second.second = std::max(it->second.second, s.last + s.step);
    }
  }
  std::erase_if(events->items, [](const store::Event& e) { return ooni::IsAppBlockingEvent(e); });
  UnixSeconds now = 0;
  for (const auto& [entity, span] : coverage) now = std::max(now, span.second);
  const curated::Agreement a = curated::Compare(*outages, events->items, coverage, now);
  Print(ctx.json ? curated::AgreementJson(a) + "\n" : curated::AgreementTable(a));
  return kExitOk;
}

// --families: the combined detector and IODA's rule at its best on the synthetic families.
int RunEvaluateFamilies(const EvaluateOptions& o, const Context& ctx) {
  if (o.seeds < 1 || o.seeds > 1000) {
    log::Error("evaluate: --seeds must be in [1, 1000], got ", o.seeds);
    return kExitUsage;
  }
  auto config = detect::LoadConfigOrDefault(o.config);
  if (!config.ok()) {
    log::Error(config.status().ToString());
    return ExitCodeFor(config.status());
  }
  std::vector<detect::FamilyEvaluation> all;
  for (const detect::SyntheticFamily& f : detect::SyntheticFamilies()) {
    all.push_back(detect::EvaluateFamily(f, *config, o.seeds));
  }
  std::string out = ctx.json ? detect::FamiliesJson(all) + "\n" : detect::FamiliesTable(all);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

// --truth: the store's events against a scenario's truth.json.
int RunEvaluateTruth(const EvaluateOptions& o, const Context& ctx) {
  sim::ScoreOptions so;
  so.step = o.step;
  if (o.step <= 0) {
    log::Error("evaluate: --step must be positive");
    return kExitUsage;
  }
  if (o.from.empty() != o.until.empty()) {
    log::Error("evaluate: give both --from and --until, or neither");
    return kExitUsage;
  }
  if (!o.from.empty()) {
    auto from = ParseTime(o.from);
    auto until = ParseTime(o.until);
    if (!from.ok() || !until.ok()) {
      log::Error("evaluate: ", (!from.ok() ? "--from: " + from.status().message()
                                           : "--until: " + until.status().message()));
      return kExitUsage;
    }
    if (*from >= *until) {
      log::Error("evaluate: --from must be before --until");
      return kExitUsage;
    }
    so.from = *from;
    so.until = *until;
  }
  auto truth = sim::LoadTruth(o.truth);
  if (!truth.ok()) {
    log::Error("evaluate: ", truth.status().ToString());
    return truth.status().code() == StatusCode::kInvalidArgument ? kExitInputProblems
                                                                 : kExitFailure;
  }
  auto st = OpenExistingStore(o.store, /*read_only=*/true);
  if (!st.ok()) {
    log::Error("evaluate: ", st.status().ToString());
    return kExitFailure;
  }
  store::EventQuery q;
  q.limit = 0;
  auto events = (*st)->QueryEvents(q);
  if (!events.ok()) {
    log::Error("evaluate: ", events.status().ToString());
    return kExitFailure;
  }
  // Application blocking (OONI) is no connectivity detection: not scored against the outages.
  std::erase_if(events->items, [](const store::Event& e) { return ooni::IsAppBlockingEvent(e); });
  sim::Score score = sim::ScoreDetections(*truth, events->items, so);
  std::string out = ctx.json ? sim::ScoreJson(score) + "\n" : sim::ScoreTable(score);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

int RunEvaluate(const EvaluateOptions& o, const Context& ctx) {
  const int modes = !o.truth.empty() + !o.series.empty() + o.families + o.annotations;
  if (modes != 1) {
    log::Error(
        "evaluate: give exactly one of --series (labelled IODA CSV), --truth (a scenario's "
        "truth.json), --families (the synthetic families) or --annotations (curated lists)");
    return kExitUsage;
  }
  if (o.families) return RunEvaluateFamilies(o, ctx);
  if (o.annotations) return RunEvaluateAnnotations(o, ctx);
  if (!o.truth.empty()) return RunEvaluateTruth(o, ctx);
  if (o.labels.empty()) {
    log::Error("evaluate: --series needs --labels");
    return kExitUsage;
  }
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
  auto config = detect::LoadConfigOrDefault(o.config);
  if (!config.ok()) {
    log::Error(config.status().ToString());
    return ExitCodeFor(config.status());
  }
  auto data = detect::ReadIodaCsv(o.series, o.labels);
  if (!data.ok()) {
    log::Error(data.status().ToString());
    return ExitCodeFor(data.status());
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
      "and onset latency, per method (IODA's rule as the baseline) and for the combined detector; "
      "or, with --truth, score the store's events against a simulated scenario's truth");
  ev->add_option("--series", eo->series, "Series file (IODA CSV export)");
  ev->add_option("--format", eo->format, "Format of --series")->capture_default_str();
  ev->add_option("--labels", eo->labels,
                 "Label column of --series (1 = outage, 0 = normal, empty = unknown)");
  ev->add_option("--truth", eo->truth,
                 "A scenario's truth.json (as `blackout simulate` writes it): score the events "
                 "in --store against it");
  AddStoreOption(ev, &eo->store);
  ev->add_option("--from", eo->from,
                 "With --truth: start of the bin-level span (ISO 8601 or Unix seconds; default: "
                 "the scenario's start from manifest.json)");
  ev->add_option("--until", eo->until, "With --truth: end of the bin-level span");
  ev->add_option("--step", eo->step, "With --truth: bin width in seconds")->capture_default_str();
  ev->add_option("--signal", eo->signal, "Only this signal (traffic, darknet, bgp, probe)");
  ev->add_option("--config", eo->config, "Detector configuration (TOML; default: built in)");
  ev->add_flag("--families", eo->families,
               "Score the combined detector and IODA's rule at its best on the synthetic families "
               "(docs/detect.md): partial cuts of small networks, multi-week shutdowns, short "
               "history, gaps inside outages ...");
  ev->add_option("--seeds", eo->seeds, "With --families: cases per family (seeds 1..N)")
      ->capture_default_str();
  ev->add_flag("--annotations", eo->annotations,
               "Compare the events in --store with the curated outage lists imported into it "
               "(blackout import annotations): found, missed, and events without a curated "
               "record, where the store has data");
  ev->callback([eo, &ctx] { ctx.exit_code = RunEvaluate(*eo, ctx); });
}

}  // namespace blackout::cli
