// `blackout probe census|run`: the active prober (docs/probe.md).
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "blackout/base/log.h"
#include "blackout/base/time.h"
#include "blackout/probe/census.h"
#include "blackout/probe/prober.h"
#include "blackout/probe/raw_socket.h"
#include "blackout/probe/records.h"
#include "blackout/probe/signal.h"
#include "blackout/probe/spool.h"
#include "cli/command.h"

namespace blackout::cli {
namespace {

using nlohmann::json;

// Set by SIGINT/SIGTERM; the prober polls it at every wake-up. A signal handler can only reach
// process-wide state, hence the one global here.
std::atomic<bool> g_stop{false};
extern "C" void OnStopSignal(int) { g_stop.store(true); }

struct SafetyArgs {
  std::vector<std::string> allow_special;
  std::string blocklist;
  double rate = 10000;
  int64_t timeout_ms = 3000;
  std::string probe_log;
  uint64_t seed = 0;  // 0: random key
};

void AddSafety(CLI::App* sub, SafetyArgs& a) {
  sub->add_option("--allow-special", a.allow_special,
                  "Allow probing inside this special-purpose prefix (RFC 6890 ranges are blocked "
                  "otherwise; repeatable)");
  sub->add_option("--blocklist", a.blocklist, "File of prefixes never to probe (always wins)");
  sub->add_option("--rate", a.rate, "Global packet rate limit, packets/s")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_option("--timeout-ms", a.timeout_ms, "Reply timeout, ms")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{60000}));
  sub->add_option("--probe-log", a.probe_log, "Log what is probed and why to this file");
  sub->add_option("--seed", a.seed,
                  "Derive the validation key from this seed (reproducible runs; default: random)");
}

Status BuildPolicy(const SafetyArgs& a, probe::SafetyPolicy& policy) {
  for (const std::string& s : a.allow_special) {
    auto p = Prefix::Parse(s);
    if (!p.ok()) return InvalidArgument("--allow-special: " + p.status().message());
    BLACKOUT_RETURN_IF_ERROR(policy.AllowSpecial(*p));
  }
  if (!a.blocklist.empty()) BLACKOUT_RETURN_IF_ERROR(policy.LoadUserBlocklist(a.blocklist));
  return Status::Ok();
}

// Appends time-stamped lines to the probe log (or nowhere).
class ProbeLog {
 public:
  Status Open(const std::string& path) {
    if (path.empty()) return Status::Ok();
    out_.open(path, std::ios::app);
    if (!out_) return IoError("cannot open probe log " + path);
    return Status::Ok();
  }
  void operator()(std::string_view line) {
    if (!out_.is_open()) return;
    out_ << FormatIso8601(std::time(nullptr)) << '\t' << line << '\n';
  }
  void Flush() {
    if (out_.is_open()) out_.flush();
  }
  bool enabled() const { return out_.is_open(); }

 private:
  std::ofstream out_;
};

probe::ProbeTagger MakeTagger(uint64_t seed) {
  return seed ? probe::ProbeTagger::FromSeed(seed) : probe::ProbeTagger::Random();
}

void Fail(Context& ctx, const char* cmd, const Status& st) {
  std::fprintf(stderr, "blackout probe %s: %s\n", cmd, st.ToString().c_str());
  ctx.exit_code = ExitCodeFor(st);
}

// ---- census

struct CensusArgs {
  SafetyArgs safety;
  std::string targets;
  std::string out;
  std::string refresh;
};

Result<std::vector<Prefix>> ParseTargets(const std::string& spec) {
  std::vector<std::string> items;
  if (!spec.empty() && spec[0] == '@') {
    std::ifstream in(spec.substr(1));
    if (!in) return IoError("cannot open targets file " + spec.substr(1));
    std::string line;
    while (std::getline(in, line)) {
      if (auto h = line.find('#'); h != std::string::npos) line.resize(h);
      std::istringstream ss(line);
      for (std::string w; ss >> w;) items.push_back(w);
    }
  } else {
    std::stringstream ss(spec);
    for (std::string w; std::getline(ss, w, ',');) {
      if (!w.empty()) items.push_back(w);
    }
  }
  std::vector<Prefix> out;
  for (const std::string& s : items) {
    auto p = Prefix::Parse(s);
    if (!p.ok() || !p->address().is_v4()) return InvalidArgument("bad IPv4 target prefix: " + s);
    out.push_back(*p);
  }
  if (out.empty()) return InvalidArgument("--targets names no prefix");
  return out;
}

void Census(const CensusArgs& a, Context& ctx) {
  probe::SafetyPolicy policy;
  if (Status st = BuildPolicy(a.safety, policy); !st.ok()) return Fail(ctx, "census", st);
  auto targets = ParseTargets(a.targets);
  if (!targets.ok()) return Fail(ctx, "census", targets.status());
  std::optional<probe::Hitlist> previous;
  if (!a.refresh.empty()) {
    auto h = probe::ReadHitlist(a.refresh);
    if (!h.ok()) return Fail(ctx, "census", h.status());
    previous = std::move(h).value();
  }
  ProbeLog plog;
  if (Status st = plog.Open(a.safety.probe_log); !st.ok()) return Fail(ctx, "census", st);
  plog("CENSUS\tstart\trate=" + std::to_string(a.safety.rate) + "pps");

  probe::RealClock clock;
  auto raw = probe::RawSocketIo::Open(clock);
  if (!raw.ok()) return Fail(ctx, "census", raw.status());
  probe::GuardedPacketIo io(**raw, policy);
  probe::ProbeTagger tagger = MakeTagger(a.safety.seed);
  probe::CensusOptions opt;
  opt.rate_pps = a.safety.rate;
  opt.timeout_ns = a.safety.timeout_ms * 1'000'000;
  auto r = probe::RunCensus(*targets, policy, previous ? &*previous : nullptr, opt, clock, io,
                            tagger, [&](std::string_view l) { plog(l); });
  if (!r.ok()) return Fail(ctx, "census", r.status());
  if (r->probed == 0 && r->blocked > 0) {
    std::string why;
    for (const auto& [reason, n] : r->blocked_by)
      why += "\n  " + std::to_string(n) + " x " + reason;
    return Fail(ctx, "census",
                InvalidArgument("every target address is blocked by the safety policy (name a "
                                "special-purpose range with --allow-special to probe it):" +
                                why));
  }
  if (Status st = probe::WriteHitlist(a.out, r->hitlist); !st.ok()) return Fail(ctx, "census", st);
  size_t eligible = 0;
  for (const auto& e : r->hitlist.entries) {
    eligible += e.addresses.Count() >= 15 && e.availability >= 0.1f;
  }
  plog("CENSUS\tdone\tprobed=" + std::to_string(r->probed) + " replies=" +
       std::to_string(r->replies) + " blocks=" + std::to_string(r->hitlist.entries.size()));
  if (ctx.json) {
    std::cout << json{{"targets", r->targets},       {"probed", r->probed},
                      {"blocked", r->blocked},       {"replies", r->replies},
                      {"forged", r->forged},         {"blocks", r->hitlist.entries.size()},
                      {"eligible_blocks", eligible}, {"hitlist", a.out}}
                     .dump()
              << "\n";
  } else if (!ctx.quiet) {
    std::printf(
        "census: %llu target addresses, %llu probed, %llu blocked by policy, %llu responsive, "
        "%zu blocks (%zu eligible) -> %s\n",
        static_cast<unsigned long long>(r->targets), static_cast<unsigned long long>(r->probed),
        static_cast<unsigned long long>(r->blocked), static_cast<unsigned long long>(r->replies),
        r->hitlist.entries.size(), eligible, a.out.c_str());
  }
}

// ---- run

struct RunArgs {
  SafetyArgs safety;
  std::string hitlist;
  std::string vantage;
  int64_t rounds = 0;
  double round_seconds = 660;
  unsigned max_extra = 15;
  unsigned min_addresses = 15;
  double min_availability = 0.1;
  std::string records = "-";
  std::string entity_map;
  bool geo = false;
  std::string geo_dir;
  std::string store;
  // Reporting to the observatory (docs/probe.md, "Reporting to the observatory").
  std::string report_to;
  std::string token_file;
  std::string spool;
  double drain_seconds = 30;
  double retry_max_seconds = 60;
};

// A vantage point's link to the observatory: every round goes to the spool, the uploader sends it.
struct Reporter {
  std::unique_ptr<probe::Spool> spool;
  std::unique_ptr<probe::Transport> transport;
  std::unique_ptr<probe::Uploader> uploader;
};

Result<std::unique_ptr<Reporter>> StartReporting(const RunArgs& a,
                                                 const std::vector<probe::HitlistEntry>& blocks,
                                                 const probe::EntityMapper* mapper) {
  if (a.token_file.empty()) return InvalidArgument("--report-to needs --token-file");
  std::ifstream in(a.token_file);
  if (!in) return NotFound("cannot read token file " + a.token_file);
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) return InvalidArgument("token file " + a.token_file + " is empty");
  std::vector<uint32_t> bases, group(blocks.size(), 0);
  for (const probe::HitlistEntry& e : blocks) bases.push_back(e.base);
  std::vector<std::vector<std::string>> groups;
  if (mapper != nullptr) {
    mapper->Attribute(bases, group, groups);
  } else {
    groups.push_back({});
  }
  auto r = std::make_unique<Reporter>();
  BLACKOUT_ASSIGN_OR_RETURN(
      r->spool, probe::Spool::Open(a.spool.empty() ? "blackout-spool-" + a.vantage : a.spool));
  r->transport = probe::MakeHttpTransport(a.report_to, token);
  probe::UploaderOptions uo;
  uo.max_backoff_ms = std::max<int64_t>(uo.min_backoff_ms, int64_t(a.retry_max_seconds * 1000));
  r->uploader = std::make_unique<probe::Uploader>(
      *r->spool, *r->transport,
      probe::FormatBlockList(probe::MakeBlockList(a.vantage, bases, group, groups)), uo);
  r->uploader->Start();
  return r;
}

void Run(const RunArgs& a, Context& ctx) {
  if (Status st = probe::ValidateVantage(a.vantage); !st.ok()) return Fail(ctx, "run", st);
  probe::SafetyPolicy policy;
  if (Status st = BuildPolicy(a.safety, policy); !st.ok()) return Fail(ctx, "run", st);
  auto hitlist = probe::ReadHitlist(a.hitlist);
  if (!hitlist.ok()) return Fail(ctx, "run", hitlist.status());
  ProbeLog plog;
  if (Status st = plog.Open(a.safety.probe_log); !st.ok()) return Fail(ctx, "run", st);

  // Entities: a static map (testbeds), or the geo module.
  std::unique_ptr<probe::EntityMapper> mapper;
  std::unique_ptr<geo::GeoDb> geodb;
  if (!a.entity_map.empty()) {
    auto m = probe::StaticEntityMap::Load(a.entity_map);
    if (!m.ok()) return Fail(ctx, "run", m.status());
    mapper = std::make_unique<probe::StaticEntityMap>(std::move(m).value());
  } else if (a.geo) {
    geo::GeoOptions go;
    go.dir = a.geo_dir;
    auto db = geo::GeoDb::Open(go);
    if (!db.ok()) return Fail(ctx, "run", db.status());
    geodb = std::move(db).value();
    mapper = std::make_unique<probe::GeoEntityMapper>(*geodb);
  }
  std::unique_ptr<store::Store> store;
  if (!a.store.empty()) {
    auto s = store::OpenStore(a.store);
    if (!s.ok()) return Fail(ctx, "run", s.status());
    store = std::move(s).value();
  }

  probe::Eligibility elig{a.min_addresses, a.min_availability};
  probe::Selection sel =
      probe::SelectBlocks(*hitlist, elig, policy, [&](std::string_view l) { plog(l); });
  plog("RUN\tvantage=" + a.vantage + " eligible=" + std::to_string(sel.blocks.size()) +
       " ineligible=" + std::to_string(sel.ineligible) + " blocked=" + std::to_string(sel.blocked));
  plog.Flush();
  if (sel.blocks.empty()) {
    return Fail(ctx, "run", Status(StatusCode::kDataLoss, "no eligible block in " + a.hitlist));
  }

  // Records: stdout, or a file (header written when the file is new or empty).
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (a.records != "-") {
    bool fresh = !std::filesystem::exists(a.records) || std::filesystem::file_size(a.records) == 0;
    file.open(a.records, std::ios::app);
    if (!file) return Fail(ctx, "run", IoError("cannot open records file " + a.records));
    if (fresh) file << probe::kRecordsHeader << "\n";
    out = &file;
  } else {
    std::cout << probe::kRecordsHeader << "\n";
  }

  std::unique_ptr<Reporter> reporter;
  if (!a.report_to.empty()) {
    auto r = StartReporting(a, sel.blocks, mapper.get());
    if (!r.ok()) return Fail(ctx, "run", r.status());
    reporter = std::move(r).value();
  }

  probe::RealClock clock;
  auto raw = probe::RawSocketIo::Open(clock);
  if (!raw.ok()) return Fail(ctx, "run", raw.status());
  probe::GuardedPacketIo io(**raw, policy);
  probe::ProbeTagger tagger = MakeTagger(a.safety.seed);
  probe::ProberOptions opt;
  opt.vantage = a.vantage;
  opt.round_ns = static_cast<int64_t>(a.round_seconds * 1e9);
  opt.max_extra = a.max_extra;
  opt.timeout_ns = a.safety.timeout_ms * 1'000'000;
  opt.rate_pps = a.safety.rate;
  opt.stop = &g_stop;
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  probe::Prober prober(opt, std::move(sel.blocks), mapper.get(), clock, io, tagger, clock.Now());
  log::Info("probe run: ", prober.block_count(), " blocks, rounds of ", a.round_seconds, " s");

  uint64_t sent = 0, matched = 0;
  int64_t done = 0;
  while (a.rounds <= 0 || done < a.rounds) {
    auto r = prober.RunRound();
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kUnavailable && g_stop.load()) break;
      return Fail(ctx, "run", r.status());
    }
    const std::string round_text = probe::FormatRound(*r, a.vantage);
    *out << round_text;
    out->flush();
    if (reporter) {
      auto seq = reporter->spool->Append(std::string(probe::kRecordsHeader) + "\n" + round_text);
      if (!seq.ok()) return Fail(ctx, "run", seq.status());
      reporter->uploader->Notify();
    }
    if (store) {
      if (Status st = probe::WriteProbeSignal(*store, *r, a.vantage); !st.ok()) {
        return Fail(ctx, "run", st);
      }
    }
    plog("ROUND\t" + std::to_string(r->index) + "\tsent=" + std::to_string(r->sent) +
         " matched=" + std::to_string(r->matched) + " forged=" + std::to_string(r->forged) +
         " stale=" + std::to_string(r->stale) + " unsent=" + std::to_string(r->unsent) +
         " up=" + std::to_string(r->up) + " down=" + std::to_string(r->down) +
         " uncertain=" + std::to_string(r->uncertain));
    plog.Flush();
    sent += r->sent;
    matched += r->matched;
    ++done;
  }
  if (reporter) {
    // What the observatory has not acknowledged yet stays in the spool for the next run.
    if (!reporter->uploader->Drain(static_cast<int64_t>(a.drain_seconds * 1000))) {
      log::Warn("probe run: ", reporter->spool->Pending().size(),
                " rounds not yet reported; kept in ", reporter->spool->dir().string());
    }
    reporter->uploader->Stop();
  }
  if (ctx.json) {
    std::cerr << json{{"rounds", done}, {"sent", sent}, {"matched", matched}}.dump() << "\n";
  }
}

}  // namespace

void RegisterProbeCommands(CLI::App& app, Context& ctx) {
  CLI::App* probe = app.add_subcommand("probe", "Active probing of IPv4 /24s (Trinocular)");
  probe->require_subcommand(1);

  auto census_args = std::make_shared<CensusArgs>();
  CLI::App* census = probe->add_subcommand(
      "census", "Scan every address of the targets once (random order) and write a hitlist");
  census
      ->add_option("--targets", census_args->targets,
                   "Comma-separated IPv4 prefixes, or @FILE with one per line")
      ->required();
  census->add_option("--out", census_args->out, "Hitlist to write (docs/probe.md)")->required();
  census->add_option("--refresh", census_args->refresh,
                     "Previous hitlist: keep its E(b) and refresh A(E(b))");
  AddSafety(census, census_args->safety);
  census->callback([census_args, &ctx] { Census(*census_args, ctx); });

  auto run_args = std::make_shared<RunArgs>();
  CLI::App* run = probe->add_subcommand("run", "Watch the hitlist's blocks round after round");
  run->add_option("--hitlist", run_args->hitlist, "Hitlist from `probe census`")->required();
  run->add_option("--vantage", run_args->vantage, "Name of this vantage point (the signal source)")
      ->required();
  run->add_option("--rounds", run_args->rounds, "Stop after N rounds (0: until SIGINT/SIGTERM)")
      ->capture_default_str();
  run->add_option("--round-seconds", run_args->round_seconds, "Round length, s")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0));
  run->add_option("--max-extra", run_args->max_extra, "Adaptive probes per block per round")
      ->capture_default_str()
      ->check(CLI::Range(0u, 200u));
  run->add_option("--min-addresses", run_args->min_addresses, "Eligibility: |E(b)| at least")
      ->capture_default_str();
  run->add_option("--min-availability", run_args->min_availability, "Eligibility: A at least")
      ->capture_default_str();
  run->add_option("--records", run_args->records,
                  "Append round records here (docs/probe.md; '-' = stdout)")
      ->capture_default_str();
  run->add_option("--entity-map", run_args->entity_map,
                  "Static PREFIX -> ENTITY... map for attribution (testbeds)");
  run->add_flag("--geo", run_args->geo, "Attribute blocks to entities with the geo datasets");
  run->add_option("--geo-dir", run_args->geo_dir, "Geo datasets folder (see `blackout geo`)");
  run->add_option("--store", run_args->store,
                  "Also write the per-entity counts as the `probe` signal to this store URL");
  run->add_option("--report-to", run_args->report_to,
                  "Send every round to this observatory (http://HOST:PORT), through the spool");
  run->add_option("--token-file", run_args->token_file,
                  "File holding the observatory's write-API bearer token");
  run->add_option("--spool", run_args->spool,
                  "Spool folder of rounds not yet acknowledged (default ./blackout-spool-VANTAGE)");
  run->add_option("--drain-seconds", run_args->drain_seconds,
                  "At exit, keep sending the spool this long")
      ->capture_default_str();
  run->add_option("--retry-max-seconds", run_args->retry_max_seconds,
                  "Longest back-off between attempts to reach the observatory")
      ->capture_default_str()
      ->check(CLI::Range(0.5, 3600.0));
  AddSafety(run, run_args->safety);
  run->callback([run_args, &ctx] { Run(*run_args, ctx); });
}

}  // namespace blackout::cli
