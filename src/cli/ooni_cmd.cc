// `blackout import ooni` and `blackout fetch ooni` (docs/ooni.md).
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "blackout/base/log.h"
#include "blackout/base/time.h"
#include "blackout/ooni/events.h"
#include "blackout/ooni/fetch.h"
#include "blackout/ooni/ingest.h"
#include "blackout/store/store.h"
#include "cli/command.h"

namespace blackout::cli {
namespace {

CLI::App* ParentCommand(CLI::App& app, const std::string& name, const std::string& help) {
  for (CLI::App* sub : app.get_subcommands([&](CLI::App* s) { return s->get_name() == name; })) {
    return sub;
  }
  CLI::App* p = app.add_subcommand(name, help);
  p->require_subcommand(1);
  return p;
}

struct ImportArgs {
  std::vector<std::string> inputs;
  std::string store_url;
  bool list = false;  // print each measurement's verdict, write nothing
  bool no_events = false;
  ooni::IngestOptions options;
};

// --list: one line per measurement (JSON Lines with --json).
int ListVerdicts(const std::vector<std::string>& files, const Context& ctx) {
  ooni::ReadStats stats;
  auto print = [&](const ooni::Measurement& m) {
    const ooni::Verdict& v = m.verdict;
    if (ctx.json) {
      nlohmann::json j{{"test", m.test_name},
                       {"app", m.app},
                       {"cc", m.probe_cc},
                       {"asn", m.probe_asn},
                       {"time", FormatIso8601(m.start)},
                       {"input", m.input},
                       {"outcome", ooni::OutcomeName(v.outcome)},
                       {"method", ooni::MethodName(v.method)},
                       {"field", v.field},
                       {"value", v.value},
                       {"detail", v.detail}};
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf(
          "%s %s AS%u %s %s %s %s %s=%s%s%s\n", FormatIso8601(m.start).c_str(), m.probe_cc.c_str(),
          m.probe_asn, m.test_name.c_str(), m.app.c_str(),
          std::string(ooni::OutcomeName(v.outcome)).c_str(),
          v.method == ooni::Method::kNone ? "-" : std::string(ooni::MethodName(v.method)).c_str(),
          v.field.c_str(), v.value.c_str(), v.detail.empty() ? "" : " ", v.detail.c_str());
    }
  };
  for (const std::string& f : files) {
    Status st = ooni::ReadMeasurements(f, print, &stats);
    if (!st.ok()) log::Error(st.ToString());
  }
  for (const Status& p : stats.problems)
    std::fprintf(stderr, "blackout: %s\n", p.ToString().c_str());
  return stats.malformed + stats.unknown_tests > 0 ? kExitInputProblems : kExitOk;
}

int RunImport(const ImportArgs& a, const Context& ctx) {
  auto files = ooni::ListMeasurementFiles(a.inputs);
  if (!files.ok()) {
    log::Error(files.status().ToString());
    return kExitUsage;
  }
  if (a.list) return ListVerdicts(*files, ctx);
  auto store = store::OpenStore(a.store_url);
  if (!store.ok()) {
    log::Error(store.status().ToString());
    return kExitFailure;
  }
  uint64_t measurements = 0, damaged = 0, unknown = 0, points = 0, unchanged = 0;
  std::map<std::string, uint64_t> outcomes;
  nlohmann::json problems = nlohmann::json::array();
  for (const std::string& f : *files) {
    auto r = ooni::IngestFile(f, **store, a.options);
    if (!r.ok()) {
      log::Error(f, ": ", r.status().ToString());
      return ExitCodeFor(r.status());
    }
    measurements += r->read.measurements;
    damaged += r->read.malformed;
    unknown += r->read.unknown_tests;
    points += r->points;
    unchanged += r->unchanged ? 1 : 0;
    for (const auto& [k, n] : r->outcomes) outcomes[k] += n;
    for (const Status& p : r->read.problems) {
      if (!ctx.json) std::fprintf(stderr, "blackout: %s\n", p.ToString().c_str());
      problems.push_back({{"file", p.where().file},
                          {"line", p.where().line ? nlohmann::json(*p.where().line) : nullptr},
                          {"message", p.message()}});
    }
  }
  ooni::AppEventSummary events;
  if (!a.no_events) {
    auto ev = ooni::DetectAppBlocking(**store);
    if (!ev.ok()) {
      log::Error(ev.status().ToString());
      return kExitFailure;
    }
    events = *ev;
  }
  if (ctx.json) {
    nlohmann::json j{{"files", files->size()},
                     {"unchanged_files", unchanged},
                     {"measurements", measurements},
                     {"outcomes", outcomes},
                     {"damaged", damaged},
                     {"unknown_tests", unknown},
                     {"points", points},
                     {"events", events.events},
                     {"problems", problems},
                     {"attribution", ooni::kOoniAttribution}};
    std::printf("%s\n", j.dump().c_str());
  } else if (!ctx.quiet) {
    std::fprintf(stderr,
                 "blackout: imported %zu OONI file(s) (%llu unchanged): %llu measurements "
                 "(%llu ok, %llu blocked, %llu failed, %llu unknown), %llu damaged, %llu of "
                 "unknown tests; %llu points; %llu app-blocking event(s). Data: %s\n",
                 files->size(), static_cast<unsigned long long>(unchanged),
                 static_cast<unsigned long long>(measurements),
                 static_cast<unsigned long long>(outcomes["ok"]),
                 static_cast<unsigned long long>(outcomes["blocked"]),
                 static_cast<unsigned long long>(outcomes["failed"]),
                 static_cast<unsigned long long>(outcomes["unknown"]),
                 static_cast<unsigned long long>(damaged), static_cast<unsigned long long>(unknown),
                 static_cast<unsigned long long>(points),
                 static_cast<unsigned long long>(events.events),
                 std::string(ooni::kOoniAttribution).c_str());
  }
  return damaged + unknown > 0 ? kExitInputProblems : kExitOk;
}

struct FetchArgs {
  std::string country, since, until, tests, output;
  ooni::FetchOptions options;
};

int RunFetch(FetchArgs a, const Context& ctx) {
  auto since = ParseTime(a.since);
  auto until = ParseTime(a.until);
  if (!since.ok() || !until.ok()) {
    log::Error("bad --since/--until: ", (since.ok() ? until : since).status().ToString());
    return kExitUsage;
  }
  a.options.country = a.country;
  a.options.since = *since;
  a.options.until = *until;
  for (size_t pos = 0; pos < a.tests.size();) {
    size_t comma = a.tests.find(',', pos);
    std::string t = a.tests.substr(pos, comma == std::string::npos ? comma : comma - pos);
    if (!t.empty()) a.options.tests.push_back(t);
    pos = comma == std::string::npos ? a.tests.size() : comma + 1;
  }
  auto r = ooni::FetchMeasurements(a.options, a.output);
  if (!r.ok()) {
    log::Error(r.status().ToString());
    return ExitCodeFor(r.status());
  }
  for (const Status& p : r->problems) std::fprintf(stderr, "blackout: %s\n", p.ToString().c_str());
  if (ctx.json) {
    std::printf("%s\n", nlohmann::json{{"listed", r->listed},
                                       {"fetched", r->fetched},
                                       {"failed", r->failed},
                                       {"output", a.output}}
                            .dump()
                            .c_str());
  } else if (!ctx.quiet) {
    std::fprintf(stderr,
                 "blackout: %llu measurement(s) listed, %llu fetched, %llu failed, into %s "
                 "(OONI data, CC BY-NC-SA 4.0)\n",
                 static_cast<unsigned long long>(r->listed),
                 static_cast<unsigned long long>(r->fetched),
                 static_cast<unsigned long long>(r->failed), a.output.c_str());
  }
  return r->failed > 0 ? kExitInputProblems : kExitOk;
}

}  // namespace

void RegisterOoniCommands(CLI::App& app, Context& ctx) {
  CLI::App* import = ParentCommand(app, "import", "Import data into the store");
  auto ia = std::make_shared<ImportArgs>();
  CLI::App* io = import->add_subcommand(
      "ooni",
      "Read OONI Probe measurements (one JSON per file, .jsonl, .jsonl.gz, the data store's\n"
      "raw/YYYYMMDD/HH/CC/TEST/ folders, API measurement_meta answers) into app-blocking series\n"
      "per country, ASN and country-ASN, then find app-blocking events. Idempotent per file.");
  io->add_option("inputs", ia->inputs, "Files or folders ('-' = stdin as JSON Lines)")->required();
  AddStoreOption(io, &ia->store_url);
  io->add_option("--step", ia->options.step, "Bin size, seconds")
      ->capture_default_str()
      ->check(CLI::Range(60, 86400));
  io->add_flag("--list", ia->list, "Print each measurement's verdict; write nothing");
  io->add_flag("--no-events", ia->no_events, "Only the series (no app-blocking events)");
  io->callback([ia, &ctx] { ctx.exit_code = RunImport(*ia, ctx); });

  CLI::App* fetch = ParentCommand(app, "fetch", "Download measurement archives");
  auto fa = std::make_shared<FetchArgs>();
  CLI::App* fo = fetch->add_subcommand(
      "ooni",
      "Get a country's OONI measurements from the OONI API (list, then each with its raw data)\n"
      "into a JSON Lines file for `blackout import ooni`.");
  fo->add_option("--country", fa->country, "Probe country (ISO 3166 alpha-2)")->required();
  fo->add_option("--since", fa->since, "Start time (ISO 8601 UTC or Unix seconds)")->required();
  fo->add_option("--until", fa->until, "End time, exclusive")->required();
  fo->add_option("--test", fa->tests, "Tests, comma-separated (default: every app test)");
  fo->add_option("--output,-o", fa->output, "JSON Lines file to write")->required();
  fo->add_option("--base-url", fa->options.base_url, "OONI API root")->capture_default_str();
  fo->add_option("--page-size", fa->options.page_size, "Measurements per list request")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  fo->add_option("--attempts", fa->options.max_attempts, "Attempts per request")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  fo->add_option("--backoff", fa->options.backoff_initial_s, "First retry delay, seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  fo->callback([fa, &ctx] { ctx.exit_code = RunFetch(*fa, ctx); });
}

}  // namespace blackout::cli
