// `blackout fetch bgp` and `blackout ingest bgp` (docs/bgp.md, docs/archives.md).
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "blackout/base/log.h"
#include "blackout/base/progress.h"
#include "blackout/base/time.h"
#include "blackout/bgp/archive.h"
#include "blackout/bgp/fetch.h"
#include "blackout/bgp/follow.h"
#include "blackout/bgp/geo_blocks.h"
#include "blackout/bgp/ingest.h"
#include "blackout/geo/geodb.h"
#include "blackout/store/store.h"
#include "cli/command.h"

namespace blackout::cli {
namespace {

CLI::App* Parent(CLI::App& app, const std::string& name, const std::string& help) {
  CLI::App* p = nullptr;
  for (CLI::App* sub : app.get_subcommands([&](CLI::App* s) { return s->get_name() == name; })) {
    p = sub;
  }
  if (p == nullptr) {
    p = app.add_subcommand(name, help);
    p->require_subcommand(1);
  }
  return p;
}

struct FetchArgs {
  std::vector<std::string> collectors, sources;
  std::string from, until, dir, base_url;
  bool no_ribs = false, no_updates = false;
  bgp::FetchOptions options;
};

int RunFetch(const FetchArgs& a, const Context& ctx) {
  auto from = ParseTime(a.from);
  auto until = ParseTime(a.until);
  if (!from.ok() || !until.ok()) {
    log::Error("bad --from/--until: ", (from.ok() ? until : from).status().ToString());
    return kExitUsage;
  }
  if (*until <= *from) {
    log::Error("--until must be after --from");
    return kExitUsage;
  }
  // --collector NAME is the source ris:NAME / routeviews:NAME (base=--base-url).
  bgp::ArchiveFetchRequest req;
  std::vector<std::string> specs = a.sources;
  for (const auto& name : a.collectors) {
    auto c = bgp::ParseCollector(name);
    if (!c.ok()) {
      log::Error(c.status().message());
      return kExitUsage;
    }
    specs.push_back((c->project == bgp::ArchiveProject::kRis ? "ris:" : "routeviews:") + name +
                    (a.base_url.empty() ? "" : " base=" + a.base_url));
  }
  for (const auto& spec : specs) {
    auto src = bgp::ParseArchiveSource(spec);
    if (!src.ok()) {
      log::Error(src.status().message());
      return kExitUsage;
    }
    req.sources.push_back(std::move(*src));
  }
  if (req.sources.empty()) {
    log::Error("name at least one --collector or --source");
    return kExitUsage;
  }
  req.from = *from;
  req.until = *until;
  req.ribs = !a.no_ribs;
  req.updates = !a.no_updates;
  req.dir = a.dir;
  size_t total = 0;
  for (const auto& src : req.sources) {
    total += bgp::ListSourceFiles(src, req.from, req.until, req.ribs, req.updates).size();
  }
  Progress progress("fetch bgp", total, "files", Progress::StderrIsTerminal() && !ctx.quiet);
  uint64_t done = 0, bytes = 0;
  auto results = bgp::FetchArchive(req, a.options, [&](const bgp::FetchOutcome& o) {
    ++done;
    bytes += o.bytes;
    progress.Update(done, bytes);
  });
  progress.Finish();
  int fetched = 0, skipped = 0, missing = 0, failed = 0;
  nlohmann::json files = nlohmann::json::array();
  for (const auto& r : results) {
    const bgp::FetchOutcome& o = r.outcome;
    std::string state;
    if (o.status.ok()) {
      o.skipped ? ++skipped : ++fetched;
      state = o.skipped ? "present" : (o.resumed ? "resumed" : "fetched");
    } else if (o.status.code() == StatusCode::kNotFound) {
      ++missing;
      state = "missing";
      log::Warn("missing in the archive: ", o.job.url);
    } else {
      ++failed;
      state = "failed";
      log::Error("failed after ", o.attempts, " attempts: ", o.status.ToString(),
                 " (run the same command again: complete files are kept, .part files resume)");
    }
    files.push_back({{"url", o.job.url},
                     {"path", o.job.dest.string()},
                     {"state", state},
                     {"bytes", o.bytes},
                     {"attempts", o.attempts}});
  }
  if (ctx.json) {
    nlohmann::json j = {{"files", files},     {"fetched", fetched}, {"present", skipped},
                        {"missing", missing}, {"failed", failed},   {"bytes", bytes}};
    std::printf("%s\n", j.dump().c_str());
  } else if (!ctx.quiet) {
    std::printf("%zu files: %d fetched, %d already present, %d missing, %d failed (%llu bytes)\n",
                results.size(), fetched, skipped, missing, failed,
                static_cast<unsigned long long>(bytes));
  }
  if (failed > 0) return kExitFailure;
  return missing > 0 ? kExitInputProblems : kExitOk;
}

struct IngestArgs {
  std::vector<std::string> inputs;
  std::string store_url, collector;
  bool no_geo = false;
  bgp::IngestOptions options;
};

int RunIngest(const IngestArgs& a, const Context& ctx) {
  auto files = bgp::DescribeInputs(a.inputs, a.collector);
  if (!files.ok()) {
    log::Error(files.status().ToString());
    return files.status().code() == StatusCode::kNotFound ? kExitUsage : kExitFailure;
  }
  auto st = store::OpenStore(a.store_url);
  if (!st.ok()) {
    log::Error("cannot open store ", a.store_url, ": ", st.status().ToString());
    return kExitFailure;
  }
  std::unique_ptr<geo::GeoDb> db;
  std::unique_ptr<bgp::GeoDbBlocks> blocks;
  if (!a.no_geo) {
    auto g = geo::GeoDb::Open();
    if (g.ok()) {
      db = std::move(*g);
      blocks = std::make_unique<bgp::GeoDbBlocks>(*db);
    } else {
      log::Warn("no geolocation (", g.status().message(),
                "): only asn/ entities are written; see docs/geo.md");
    }
  }
  Progress progress("ingest bgp", files->size(), "files",
                    Progress::StderrIsTerminal() && !ctx.quiet);
  auto sum =
      bgp::IngestToStore(*files, a.options, blocks.get(), **st,
                         [&](size_t done, uint64_t elements) { progress.Update(done, elements); });
  progress.Finish();
  if (!sum.ok()) {
    log::Error("ingest failed: ", sum.status().ToString());
    return kExitFailure;
  }
  for (const auto& p : sum->problem_texts) log::Warn(p);
  if (ctx.json) {
    nlohmann::json j = {{"files", sum->files},
                        {"written", sum->files_written},
                        {"unchanged", sum->files_unchanged},
                        {"partial", sum->files_partial},
                        {"elements", sum->elements},
                        {"problems", sum->problems},
                        {"bins", sum->bins},
                        {"points", sum->points},
                        {"problem_list", sum->problem_texts}};
    std::printf("%s\n", j.dump().c_str());
  } else if (!ctx.quiet) {
    std::printf(
        "%zu files (%zu written, %zu already ingested, %zu partial): %llu elements, %llu bins, "
        "%llu points, %llu problems\n",
        sum->files, sum->files_written, sum->files_unchanged, sum->files_partial,
        static_cast<unsigned long long>(sum->elements), static_cast<unsigned long long>(sum->bins),
        static_cast<unsigned long long>(sum->points),
        static_cast<unsigned long long>(sum->problems));
  }
  return sum->problems > 0 ? kExitInputProblems : kExitOk;
}

}  // namespace

void RegisterBgpCommands(CLI::App& app, Context& ctx) {
  // fetch bgp
  CLI::App* fetch = Parent(app, "fetch", "Download measurement archives");
  auto fa = std::make_shared<FetchArgs>();
  CLI::App* fb = fetch->add_subcommand(
      "bgp",
      "Download RIS / RouteViews MRT files (RIB dumps and update files) for a time range.\n"
      "Resumable (NAME.part + Range), sizes verified, parallel, retried with backoff.\n"
      "`blackout run` follows the same sources itself (sources.bgp, docs/archives.md).");
  fb->add_option("--collector", fa->collectors,
                 "rrcNN, route-views2, route-views.NAME, route-viewsN (repeatable)");
  fb->add_option("--source", fa->sources,
                 "Archive source as in sources.bgp (repeatable): ris:rrc00, "
                 "routeviews:route-views2, or a URL template such as\n"
                 "'https://HOST/rrc00/{YYYY}.{MM}/updates.{YYYYMMDD}.{HHMM}.gz [rib=TEMPLATE] "
                 "[period=S] [rib_period=S] [collector=NAME]'");
  fb->add_option("--from", fa->from, "Start time (ISO 8601 UTC or Unix seconds)")->required();
  fb->add_option("--until", fa->until, "End time, exclusive")->required();
  fb->add_option("--dir", fa->dir, "Destination folder (archive layout is kept below it)")
      ->required();
  fb->add_option("--base-url", fa->base_url,
                 "Archive root for --collector instead of the project's own (a mirror or a test "
                 "server)");
  fb->add_flag("--no-ribs", fa->no_ribs, "Skip RIB dumps");
  fb->add_flag("--no-updates", fa->no_updates, "Skip update files");
  fb->add_option("--concurrency", fa->options.concurrency, "Parallel transfers")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  fb->add_option("--attempts", fa->options.max_attempts, "Attempts per file")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  fb->add_option("--backoff", fa->options.backoff_initial_s, "First retry delay, seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  fb->callback([fa, &ctx] { ctx.exit_code = RunFetch(*fa, ctx); });

  // ingest bgp
  CLI::App* ingest = Parent(app, "ingest", "Turn measurements into signals in the store");
  auto ia = std::make_shared<IngestArgs>();
  CLI::App* ib = ingest->add_subcommand(
      "bgp",
      "Read MRT files (RIB dumps and updates, any collectors) into the routing view and write the\n"
      "BGP visibility signals (bgp, bgp-1peer, bgp-25, bgp-75, bgp-100; bgp6* for IPv6 /48s) per\n"
      "origin AS, country and region. Idempotent per file (the store's ledger).");
  ib->add_option("inputs", ia->inputs, "MRT files or folders")->required();
  AddStoreOption(ib, &ia->store_url);
  ib->add_option("--step", ia->options.step, "Bin size, seconds")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  ib->add_option("--full-feed-ipv4", ia->options.view.full_feed_v4,
                 "IPv4 prefixes a peer needs to count as full feed")
      ->capture_default_str();
  ib->add_option("--full-feed-ipv6", ia->options.view.full_feed_v6,
                 "IPv6 prefixes a peer needs to count as full feed")
      ->capture_default_str();
  ib->add_option("--collector", ia->collector,
                 "Collector name for every input (default: from the archive path)");
  ib->add_flag("--no-geo", ia->no_geo, "Only asn/ entities (skip loading geolocation)");
  ib->callback([ia, &ctx] { ctx.exit_code = RunIngest(*ia, ctx); });
}

}  // namespace blackout::cli
