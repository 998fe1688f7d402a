// `blackout ingest darknet`: the telescope signal from capture files, folders of rotated captures
// and live interfaces (docs/darknet.md).
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "blackout/base/log.h"
#include "blackout/darknet/ingest.h"
#include "blackout/darknet/live.h"
#include "blackout/geo/geodb.h"
#include "blackout/store/store.h"
#include "cli/command.h"

namespace blackout::cli {
namespace {

struct DarknetArgs {
  std::vector<std::string> inputs;
  std::string store_url, filters = "all", routed;
  int live_seconds = 300;
  darknet::DarknetOptions options;
};

nlohmann::json DropsJson(const darknet::PacketStats& s) {
  nlohmann::json j = nlohmann::json::object();
  for (size_t i = 1; i < darknet::kNumDrops; ++i) {
    if (s.by[i]) j[std::string(darknet::DropName(static_cast<darknet::Drop>(i)))] = s.by[i];
  }
  return j;
}

void PrintSummary(const darknet::PacketStats& s, size_t files, size_t written, size_t unchanged,
                  size_t damaged, uint64_t points) {
  std::printf(
      "%zu inputs (%zu written, %zu already ingested, %zu damaged): %llu packets, %llu "
      "counted, %llu unattributed; %llu points\n",
      files, written, unchanged, damaged, static_cast<unsigned long long>(s.packets),
      static_cast<unsigned long long>(s.kept()), static_cast<unsigned long long>(s.unattributed),
      static_cast<unsigned long long>(points));
  for (size_t i = 1; i < darknet::kNumDrops; ++i) {
    if (!s.by[i]) continue;
    std::printf("  dropped %-20s %llu\n",
                std::string(darknet::DropName(static_cast<darknet::Drop>(i))).c_str(),
                static_cast<unsigned long long>(s.by[i]));
  }
}

// Captures on `interface` for `seconds`, then writes every bin.
Result<darknet::PacketStats> CaptureLive(const std::string& interface, int seconds,
                                         const darknet::Attributor& attribute,
                                         const darknet::DarknetOptions& options, store::Store& st,
                                         uint64_t* points) {
  darknet::LiveCapture live(interface, attribute, options);
  BLACKOUT_RETURN_IF_ERROR(live.Start());
  log::Info("capturing on ", interface, " for ", seconds, " s");
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  live.Stop();
  BLACKOUT_ASSIGN_OR_RETURN(size_t n, live.Flush(st, 0, /*all=*/true));
  *points += n;
  return live.stats();
}

int RunDarknet(DarknetArgs a, const Context& ctx) {
  if (Status s = darknet::ParseFilterRules(a.filters, &a.options.filter); !s.ok()) {
    log::Error(s.message());
    return kExitUsage;
  }
  if (Status s = darknet::CheckBpf(a.options.bpf); !s.ok()) {
    log::Error(s.message());
    return kExitUsage;
  }
  std::unique_ptr<darknet::RoutedSpace> routed;
  if (!a.routed.empty()) {
    auto r = darknet::RoutedSpace::Load(a.routed);
    if (!r.ok()) {
      log::Error(r.status().ToString());
      return kExitUsage;
    }
    routed = std::make_unique<darknet::RoutedSpace>(std::move(*r));
    a.options.filter.routed = routed.get();
  }
  auto st = store::OpenStore(a.store_url);
  if (!st.ok()) {
    log::Error("cannot open store ", a.store_url, ": ", st.status().ToString());
    return kExitFailure;
  }
  auto db = geo::GeoDb::Open();
  if (!db.ok()) {
    log::Error("geolocation unavailable (", db.status().message(), "); see docs/geo.md");
    return kExitFailure;
  }
  const darknet::Attributor attribute = traffic::GeoAttributor(**db);
  std::vector<std::string> files;
  darknet::IngestSummary sum;
  for (const std::string& in : a.inputs) {
    if (in.rfind("if:", 0) != 0) {
      files.push_back(in);
      continue;
    }
    auto stats = CaptureLive(in.substr(3), a.live_seconds, attribute, a.options, **st, &sum.points);
    if (!stats.ok()) {
      log::Error(stats.status().ToString());
      return ExitCodeFor(stats.status());
    }
    sum.stats.Add(*stats);
    ++sum.written;
  }
  if (!files.empty()) {
    auto f = darknet::IngestInputs(files, attribute, **st, a.options);
    if (!f.ok()) {
      log::Error(f.status().ToString());
      return f.status().code() == StatusCode::kNotFound ? kExitUsage : kExitFailure;
    }
    sum.stats.Add(f->stats);
    sum.points += f->points;
    sum.written += f->written;
    sum.unchanged += f->unchanged;
    sum.damaged += f->damaged;
    sum.problem_texts = f->problem_texts;
    sum.files = std::move(f->files);
  }
  for (const auto& p : sum.problem_texts) log::Warn(p);
  if (ctx.json) {
    nlohmann::json j = {{"written", sum.written},          {"unchanged", sum.unchanged},
                        {"damaged", sum.damaged},          {"packets", sum.stats.packets},
                        {"counted", sum.stats.kept()},     {"unattributed", sum.stats.unattributed},
                        {"dropped", DropsJson(sum.stats)}, {"points", sum.points},
                        {"problems", sum.problem_texts}};
    std::printf("%s\n", j.dump().c_str());
  } else if (!ctx.quiet) {
    PrintSummary(sum.stats, a.inputs.size(), sum.written, sum.unchanged, sum.damaged, sum.points);
  }
  return sum.damaged > 0 ? kExitInputProblems : kExitOk;
}

}  // namespace

void RegisterDarknetCommands(CLI::App& app, Context& ctx) {
  CLI::App* ingest = nullptr;
  for (CLI::App* s : app.get_subcommands([](CLI::App* s) { return s->get_name() == "ingest"; })) {
    ingest = s;
  }
  if (ingest == nullptr) {
    ingest = app.add_subcommand("ingest", "Turn measurements into signals in the store");
    ingest->require_subcommand(1);
  }
  auto a = std::make_shared<DarknetArgs>();
  CLI::App* d = ingest->add_subcommand(
      "darknet",
      "Read network-telescope captures (pcap or pcapng, plain or compressed; folders of rotated\n"
      "captures; if:NAME captures live) and write the darknet signal: unique source addresses and\n"
      "packets per bin per country, region and ASN, after the noise filter (docs/darknet.md).\n"
      "Idempotent per file (the store's ledger).");
  d->add_option("inputs", a->inputs, "Capture files, folders, or if:INTERFACE")->required();
  AddStoreOption(d, &a->store_url);
  d->add_option("--step", a->options.step, "Bin size, seconds")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  d->add_option("--source", a->options.source, "Series source name (default: the combined one)");
  d->add_option("--bpf", a->options.bpf, "BPF filter applied to every input (pcap-filter(7))");
  d->add_option("--filters", a->filters,
                "Noise-filter rules: all, none, or a list like all,-window-1024")
      ->capture_default_str();
  d->add_option("--routed", a->routed,
                "File of routed prefixes (one a line): sources outside them are dropped");
  d->add_option("--seconds", a->live_seconds, "How long to capture on an if:INTERFACE input")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  d->callback([a, &ctx] { ctx.exit_code = RunDarknet(*a, ctx); });
}

}  // namespace blackout::cli
