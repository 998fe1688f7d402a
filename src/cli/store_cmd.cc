// `blackout import series` and `blackout export series`: move series between files and the store.
// An import is one store batch recorded in the ingest ledger under the file's absolute path and
// content hash, so running it again (after success or after a crash) changes nothing.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "blackout/base/log.h"
#include "blackout/base/time.h"
#include "blackout/report/provenance.h"
#include "blackout/store/series_io.h"
#include "blackout/store/store.h"
#include "cli/command.h"
#include "cli/helpful.h"

namespace blackout::cli {
namespace {

using store::ApplyOutcome;

int ExitFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return kExitUsage;
    case StatusCode::kDataLoss:
    case StatusCode::kNotFound:
      return kExitInputProblems;
    default:
      return kExitFailure;
  }
}

int Fail(const Status& s) {
  std::fprintf(stderr, "blackout: %s\n", s.ToString().c_str());
  return ExitFor(s);
}

struct ImportArgs {
  std::string file;
  std::string format = "csv";
  std::string entity;
  std::string source;
  int64_t step = 0;
  std::string store_url;
};

int ImportSeries(const ImportArgs& a, const Context& ctx) {
  auto format = store::ParseSeriesFormat(a.format);
  if (!format.ok()) return Fail(format.status());
  std::ifstream in(a.file, std::ios::binary);
  if (!in) return Fail(IoError("cannot open " + a.file));
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Fail(IoError("cannot read " + a.file));
  std::string contents = std::move(ss).str();

  store::ImportOptions opt;
  if (!a.entity.empty()) {
    auto entity = ResolveEntity(a.entity);
    if (!entity.ok()) return Fail(entity.status());
    opt.entity = *entity;
  }
  opt.source = a.source;
  opt.step = a.step;
  auto parsed = store::ParseSeriesFile(contents, *format, opt, a.file);
  if (!parsed.ok()) return Fail(parsed.status());
  for (const Status& p : parsed->problems) {
    std::fprintf(stderr, "blackout: %s\n", p.ToString().c_str());
  }

  std::error_code ec;
  std::string input = std::filesystem::absolute(a.file, ec).lexically_normal().string();
  if (ec) input = a.file;
  bool partial = !parsed->problems.empty();
  parsed->batch.SetInput(
      "import:" + input, store::ContentHash(contents),
      partial ? store::IngestState::kPartial : store::IngestState::kComplete,
      partial ? std::to_string(parsed->problems.size()) + " malformed row(s) left out" : "");

  auto st = store::OpenStore(a.store_url);
  if (!st.ok()) return Fail(st.status());
  auto outcome = (*st)->Apply(parsed->batch);
  if (!outcome.ok()) return Fail(outcome.status());

  if (ctx.json) {
    nlohmann::json problems = nlohmann::json::array();
    for (const Status& p : parsed->problems) {
      problems.push_back({{"line", p.where().line ? nlohmann::json(*p.where().line) : nullptr},
                          {"message", p.message()}});
    }
    nlohmann::json j{{"file", a.file},
                     {"format", a.format},
                     {"store", (*st)->url()},
                     {"outcome", store::ApplyOutcomeName(*outcome)},
                     {"rows", parsed->rows},
                     {"series", parsed->series},
                     {"points", parsed->batch.point_count()},
                     {"problems", std::move(problems)}};
    std::printf("%s\n", j.dump().c_str());
  } else if (!ctx.quiet) {
    if (*outcome == ApplyOutcome::kAlreadyApplied) {
      std::fprintf(stderr, "blackout: %s was already imported (same content); nothing changed\n",
                   a.file.c_str());
    } else {
      std::fprintf(stderr,
                   "blackout: imported %s: %zu series, %zu points from %zu rows (%zu malformed) "
                   "into %s%s\n",
                   a.file.c_str(), parsed->series, parsed->batch.point_count(), parsed->rows,
                   parsed->problems.size(), (*st)->url().c_str(),
                   *outcome == ApplyOutcome::kReplaced ? " (replacing an earlier version)" : "");
    }
  }
  return partial ? kExitInputProblems : kExitOk;
}

struct ExportArgs {
  std::string entity;
  std::string signal;
  std::string source;
  bool source_set = false;
  std::string from, until;
  std::string format = "csv";
  std::string output;
  std::string store_url;
};

int ExportSeries(const ExportArgs& a) {
  auto entity = ResolveEntity(a.entity);
  if (!entity.ok()) return Fail(entity.status());
  if (a.format != "csv" && a.format != "json") {
    return Fail(InvalidArgument("--format must be csv or json, not '" + a.format + "'"));
  }
  UnixSeconds from = 0, until = INT64_MAX;
  if (!a.from.empty()) {
    auto t = ParseTime(a.from);
    if (!t.ok()) return Fail(InvalidArgument("--from: " + t.status().message()));
    from = *t;
  }
  if (!a.until.empty()) {
    auto t = ParseTime(a.until);
    if (!t.ok()) return Fail(InvalidArgument("--until: " + t.status().message()));
    until = *t;
  }
  if (until <= from) return Fail(InvalidArgument("--until must be after --from"));
  auto st = OpenExistingStore(a.store_url, /*read_only=*/true);
  if (!st.ok()) return Fail(st.status());
  store::SeriesFilter f;
  f.entity = *entity;
  f.signal = a.signal.empty() ? "" : store::CanonicalSignal(a.signal);
  if (a.source_set) f.source = a.source;
  auto series = (*st)->ReadSeriesMany(f, from, until);
  if (!series.ok()) return Fail(series.status());
  if (series->empty()) {
    return Fail(NotFound("no series for " + a.entity +
                         (a.signal.empty() ? "" : " signal " + a.signal) + " in " + (*st)->url()));
  }
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!a.output.empty()) {
    file.open(a.output, std::ios::binary | std::ios::trunc);
    if (!file) return Fail(IoError("cannot write " + a.output));
    out = &file;
  }
  // Where the numbers come from, on the file's first lines (the importer skips '#' lines):
  // "# SIMULATION: ..." for simulated data, then the sources actually ingested.
  auto prov = report::ReadProvenance(**st);
  if (!prov.ok()) return Fail(prov.status());
  if (a.format == "csv") {
    std::vector<std::string> signals;
    for (const store::Series& s : *series) signals.push_back(s.key.signal);
    const std::string attribution = prov->ForSignals(signals).Attribution();
    if (prov->simulation) *out << "# " << prov->notice << "\n";
    if (!attribution.empty()) *out << "# Sources: " << attribution << "\n";
    store::WriteSeriesCsv(*series, *out);
  } else {
    store::WriteSeriesJson(*series, *out);
  }
  out->flush();
  if (!*out) return Fail(IoError("write failed" + (a.output.empty() ? "" : ": " + a.output)));
  return kExitOk;
}

}  // namespace

void RegisterStoreCommands(CLI::App& app, Context& ctx) {
  auto* import = app.add_subcommand("import", "Import data into the store");
  import->require_subcommand(1);
  auto ia = std::make_shared<ImportArgs>();
  auto* is = import->add_subcommand(
      "series",
      "Import series from a file. Formats: ioda-csv (IODA CSV export: timestamp column + one "
      "column per signal; needs --entity), ioda-json (IODA /v2/signals/raw response), csv "
      "(entity,signal,timestamp,value[,source]). Malformed rows are reported with line numbers "
      "and left out (exit 1). Importing the same file again changes nothing.");
  is->add_option("FILE", ia->file, "Series file")->required()->check(CLI::ExistingFile);
  is->add_option("--format", ia->format, "ioda-csv | ioda-json | csv")
      ->capture_default_str()
      ->check(CLI::IsMember({"ioda-csv", "ioda-json", "csv"}));
  is->add_option("--entity", ia->entity, "Entity TYPE/CODE the file is about (e.g. country/IQ)");
  is->add_option("--source", ia->source, "Source name for the series (default: combined)");
  is->add_option("--step", ia->step, "Bin width in seconds (default: from the file, or 300)")
      ->check(CLI::PositiveNumber);
  AddStoreOption(is, &ia->store_url);
  is->callback([ia, &ctx] { ctx.exit_code = ImportSeries(*ia, ctx); });

  auto* exp = app.add_subcommand("export", "Export data from the store");
  exp->require_subcommand(1);
  auto ea = std::make_shared<ExportArgs>();
  auto* es = exp->add_subcommand(
      "series",
      "Export one entity's series (all signals, or --signal) as csv "
      "(entity,signal,timestamp,value[,source]; missing bins empty) or IODA-shaped json.");
  es->add_option("--entity", ea->entity, "Entity TYPE/CODE")->required();
  es->add_option("--signal", ea->signal, "Only this signal (IODA names accepted)");
  auto* src = es->add_option("--source", ea->source, "Only this source (\"\" = combined)");
  es->add_option("--from", ea->from, "Start (ISO 8601 UTC or Unix seconds; default: first bin)");
  es->add_option("--until", ea->until, "End, exclusive (default: after the last bin)");
  es->add_option("--format", ea->format, "csv | json")
      ->capture_default_str()
      ->check(CLI::IsMember({"csv", "json"}));
  es->add_option("-o,--output", ea->output, "Write to FILE instead of stdout");
  AddStoreOption(es, &ea->store_url);
  es->callback([ea, src, &ctx] {
    ea->source_set = src->count() > 0;
    ctx.exit_code = ExportSeries(*ea);
  });
}

}  // namespace blackout::cli
