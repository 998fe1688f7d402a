#include "blackout/service/service.h"

#include <toml++/toml.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "blackout/base/log.h"
#include "blackout/darknet/live.h"
#include "blackout/geo/geodb.h"
#include "blackout/ooni/events.h"
#include "blackout/ooni/ingest.h"
#include "blackout/probe/multisite.h"
#include "blackout/probe/records.h"
#include "blackout/probe/signal.h"
#include "blackout/report/provenance.h"
#include "blackout/service/snapshot.h"
#include "blackout/service/webhooks.h"
#include "blackout/sim/scenario.h"
#include "blackout/sim/simulate.h"
#include "blackout/store/entity_ref.h"
#include "blackout/store/store.h"
#include "blackout/traffic/ingest.h"
#ifdef BLACKOUT_HAVE_BGP
#include "blackout/bgp/follow.h"
#include "blackout/bgp/geo_blocks.h"
#include "blackout/bgp/ingest.h"
#endif
#ifdef BLACKOUT_HAVE_BMP
#include "blackout/bgp/live.h"
#include "blackout/bmp/station.h"
#endif
#ifdef BLACKOUT_HAVE_RISLIVE
#include "blackout/service/ris_live.h"
#endif
#ifdef BLACKOUT_HAVE_DETECT
#include "blackout/detect/config.h"
#include "blackout/detect/detector.h"
#include "blackout/detect/store_detect.h"
#endif

#ifndef BLACKOUT_SOURCE_DIR_DEFAULT
#define BLACKOUT_SOURCE_DIR_DEFAULT "."
#endif

namespace blackout::service {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

Status ConfigError(std::string_view origin, const std::string& what) {
  return InvalidArgument(std::string(origin) + ": " + what);
}

Result<std::vector<std::string>> Strings(const toml::node& node, std::string_view origin,
                                         const std::string& key) {
  std::vector<std::string> out;
  const auto* arr = node.as_array();
  if (!arr) return ConfigError(origin, key + " must be a list of strings");
  for (const auto& el : *arr) {
    auto s = el.value<std::string>();
    if (!s) return ConfigError(origin, key + " must be a list of strings");
    out.push_back(*s);
  }
  return out;
}

// server.listen = "HOST:PORT" ("[::1]:8080" for IPv6).
Status ParseListen(std::string_view origin, const std::string& listen, ServiceConfig* c) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return ConfigError(origin, "server.listen must be HOST:PORT");
  }
  c->host = listen.substr(0, colon);
  if (c->host.size() > 2 && c->host.front() == '[' && c->host.back() == ']') {
    c->host = c->host.substr(1, c->host.size() - 2);
  }
  try {
    size_t used = 0;
    c->port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || c->port < 0 || c->port > 65535) throw 0;
  } catch (...) {
    return ConfigError(origin, "server.listen: bad port in '" + listen + "'");
  }
  return Status::Ok();
}

// [probe] keys: the thresholds of the multi-site judgement (probe/combine.h).
Status ParseProbeKey(const toml::node& node, std::string_view origin, const std::string& full,
                     probe::CombineOptions* o) {
  if (full == "probe.vantage_min_countries") {
    auto i = node.value<int64_t>();
    if (!i || *i < 1 || *i > 250) return ConfigError(origin, full + " must be 1..250");
    o->vp_min_countries = static_cast<unsigned>(*i);
    return Status::Ok();
  }
  auto f = node.value<double>();
  if (!f || !(*f > 0.0) || *f > 1.0) return ConfigError(origin, full + " must be in (0, 1]");
  if (full == "probe.vantage_down_fraction") o->vp_down_fraction = *f;
  if (full == "probe.vantage_contradicted_fraction") o->vp_contradicted_fraction = *f;
  return Status::Ok();
}

constexpr std::string_view kNoticeKey = report::kNoticeStateKey;

fs::path ExeDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path(".") : exe.parent_path();
}

}  // namespace

fs::path DefaultScenarioPath() {
  const char* rel = "scenarios/kazakhstan-2022.toml";
  std::vector<fs::path> candidates = {fs::path(BLACKOUT_SOURCE_DIR_DEFAULT) / rel,
                                      ExeDir() / "../share/blackout" / rel, fs::path(rel)};
  std::error_code ec;
  for (const auto& c : candidates) {
    if (fs::is_regular_file(c, ec)) return c;
  }
  return candidates.back();
}

Result<ServiceConfig> ParseServiceConfig(std::string_view text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << e.description() << " (line " << e.source().begin.line << ")";
    return ConfigError(origin, msg.str());
  }
  ServiceConfig c;
  bool simulate_set = false;
  static const std::map<std::string, std::set<std::string>> kKeys = {
      {"data", {"dir"}},
      {"store", {"url"}},
      {"scenario", {"enabled", "file"}},
      {"sources",
       {"bgp", "bmp", "probe_records", "logs", "ooni", "poll_seconds", "bgp_full_feed_v4",
        "darknet", "darknet_bpf", "bgp_backfill_days", "bgp_disk_budget_mb", "ris_live"}},
      {"geo", {"enabled", "dir"}},
      {"detect", {"config", "enabled"}},
      {"probe",
       {"vantage_down_fraction", "vantage_min_countries", "vantage_contradicted_fraction"}},
      {"server", {"listen", "token", "web_root", "threads", "cors_origins"}},
  };
  for (const auto& [k, v] : root) {
    std::string table(k.str());
    auto it = kKeys.find(table);
    if (it == kKeys.end()) return ConfigError(origin, "unknown table [" + table + "]");
    const toml::table* t = v.as_table();
    if (!t) return ConfigError(origin, "[" + table + "] must be a table");
    for (const auto& [key, val] : *t) {
      std::string name(key.str());
      if (!it->second.count(name)) {
        return ConfigError(origin, "unknown key " + table + "." + name);
      }
      std::string full = table + "." + name;
      const toml::node& node = val;  // a lambda may not capture a structured binding (clang 14)
      auto str = [&]() -> Result<std::string> {
        auto s = node.value<std::string>();
        if (!s) return ConfigError(origin, full + " must be a string");
        return *s;
      };
      if (full == "data.dir") {
        BLACKOUT_ASSIGN_OR_RETURN(c.data_dir, str());
      } else if (full == "store.url") {
        BLACKOUT_ASSIGN_OR_RETURN(c.store_url, str());
      } else if (full == "scenario.enabled") {
        auto b = val.value<bool>();
        if (!b) return ConfigError(origin, full + " must be true or false");
        c.simulate = *b;
        simulate_set = true;
      } else if (full == "scenario.file") {
        BLACKOUT_ASSIGN_OR_RETURN(c.scenario_file, str());
      } else if (full == "sources.bgp") {
        BLACKOUT_ASSIGN_OR_RETURN(c.bgp, Strings(val, origin, full));
#ifdef BLACKOUT_HAVE_BGP
        std::set<std::string> collectors;  // each archive source has its own ledger keys and cache
        for (const std::string& b : c.bgp) {
          if (!bgp::IsArchiveSpec(b)) continue;
          auto src = bgp::ParseArchiveSource(b);
          if (!src.ok()) return ConfigError(origin, full + ": " + src.status().message());
          if (!collectors.insert(src->collector).second) {
            return ConfigError(origin, full + ": two archive sources are collector '" +
                                           src->collector + "' (give one collector=NAME)");
          }
        }
#endif
      } else if (full == "sources.bgp_backfill_days") {
        auto i = val.value<int64_t>();
        if (!i || *i < 0 || *i > 366) return ConfigError(origin, full + " must be 0..366");
        c.bgp_backfill_days = static_cast<int>(*i);
      } else if (full == "sources.bgp_disk_budget_mb") {
        auto i = val.value<int64_t>();
        if (!i || *i < 1) return ConfigError(origin, full + " must be a positive integer");
        c.bgp_disk_budget_mb = *i;
      } else if (full == "sources.probe_records") {
        BLACKOUT_ASSIGN_OR_RETURN(c.probe_records, Strings(val, origin, full));
      } else if (full == "sources.logs") {
        BLACKOUT_ASSIGN_OR_RETURN(c.logs, Strings(val, origin, full));
      } else if (full == "sources.ooni") {
        BLACKOUT_ASSIGN_OR_RETURN(c.ooni, Strings(val, origin, full));
      } else if (full == "sources.bmp") {
        BLACKOUT_ASSIGN_OR_RETURN(c.bmp, Strings(val, origin, full));
      } else if (full == "sources.ris_live") {
#ifdef BLACKOUT_HAVE_RISLIVE
        Status st = ParseRisLiveSource(val, &c.ris_live_url, &c.ris_live_filters);
        if (!st.ok()) return ConfigError(origin, st.message());
#else
        return ConfigError(origin, "sources.ris_live: RIS Live is not in this build");
#endif
      } else if (full == "sources.darknet") {
        BLACKOUT_ASSIGN_OR_RETURN(c.darknet, Strings(val, origin, full));
      } else if (full == "sources.darknet_bpf") {
        BLACKOUT_ASSIGN_OR_RETURN(c.darknet_bpf, str());
      } else if (full == "sources.poll_seconds") {
        auto i = val.value<int64_t>();
        if (!i || *i < 1 || *i > 86400) return ConfigError(origin, full + " must be 1..86400");
        c.poll_seconds = *i;
      } else if (full == "sources.bgp_full_feed_v4") {
        auto i = val.value<int64_t>();
        if (!i || *i < 1) return ConfigError(origin, full + " must be a positive integer");
        c.bgp_full_feed_v4 = *i;
      } else if (full == "geo.enabled") {
        auto b = val.value<bool>();
        if (!b) return ConfigError(origin, full + " must be true or false");
        c.geo = *b;
      } else if (full == "geo.dir") {
        BLACKOUT_ASSIGN_OR_RETURN(c.geo_dir, str());
      } else if (full == "detect.config") {
        BLACKOUT_ASSIGN_OR_RETURN(c.detect_config, str());
      } else if (full == "detect.enabled") {
        // false: an ingest node of a cluster (docs/scale-out.md); one node detects for all.
        auto b = val.value<bool>();
        if (!b) return ConfigError(origin, full + " must be true or false");
        c.run_detection = *b;
      } else if (table == "probe") {
        BLACKOUT_RETURN_IF_ERROR(ParseProbeKey(node, origin, full, &c.multisite));
      } else if (full == "server.listen") {
        BLACKOUT_ASSIGN_OR_RETURN(std::string listen, str());
        BLACKOUT_RETURN_IF_ERROR(ParseListen(origin, listen, &c));
      } else if (full == "server.token") {
        BLACKOUT_ASSIGN_OR_RETURN(c.token, str());
      } else if (full == "server.web_root") {
        BLACKOUT_ASSIGN_OR_RETURN(c.web_root, str());
      } else if (full == "server.threads") {
        auto i = val.value<int64_t>();
        if (!i || *i < 1 || *i > 256) return ConfigError(origin, full + " must be 1..256");
        c.threads = static_cast<int>(*i);
      } else if (full == "server.cors_origins") {
        BLACKOUT_ASSIGN_OR_RETURN(c.cors_origins, Strings(val, origin, full));
      }
    }
  }
  if (!simulate_set)
    c.simulate = c.bgp.empty() && c.probe_records.empty() && c.logs.empty() && c.bmp.empty() &&
                 c.ooni.empty() && c.darknet.empty() && c.ris_live_url.empty();
  return c;
}

Result<ServiceConfig> LoadServiceConfig(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read config " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseServiceConfig(ss.str(), path.string());
}

struct Service::Impl {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<geo::GeoDb> geo;
  std::optional<sim::Scenario> scenario;
  std::unique_ptr<server::ApiServer> api;
  // Webhooks and curated annotations (docs/notify.md); made with the API, stopped before it.
  std::unique_ptr<Webhooks> webhooks;
  std::atomic<bool> pass_requested{false};
  std::vector<std::string> bgp, probe_records, logs, ooni;
  bool detect_needed = true;
  // Vantage points reporting through the write API (docs/probe.md, "Multi-site judgement"); an
  // accepted round asks for a pass that detects.
  std::unique_ptr<probe::MultiSiteJudge> judge;
  std::atomic<bool> probe_uploaded{false};
  std::vector<std::string> darknet_inputs;
  traffic::Attributor darknet_attribute;             // live captures use it: outlives `darknet`
  std::unique_ptr<darknet::DarknetSources> darknet;  // made at the first pass
  // The BGP view's prefixes after the last pass that read BGP files, for the telescope's
  // unrouted-source rule (docs/darknet.md); empty until then, and with a simulated scenario.
  std::vector<Prefix> routed;
  bool routed_changed = false;
#ifdef BLACKOUT_HAVE_BMP
  // Live sources (sources.bmp): one view, written as bins every few seconds (bgp/live.h).
  std::unique_ptr<bgp::GeoDbBlocks> live_blocks;
  std::unique_ptr<bgp::LiveView> live;
  std::unique_ptr<bmp::Station> bmp;
#endif
#ifdef BLACKOUT_HAVE_RISLIVE
  std::unique_ptr<RisLiveFeed> ris_live;  // sources.ris_live into `live`; stopped before it goes
#endif
  const std::atomic<bool>* stop = nullptr;
#ifdef BLACKOUT_HAVE_BGP
  std::unique_ptr<bgp::ArchiveFollower> follower;  // the archive sources of sources.bgp
#endif
};

void Service::SetStopFlag(const std::atomic<bool>* stop) { impl_->stop = stop; }

bool Service::Stopping() const {
  return impl_->stop != nullptr && impl_->stop->load(std::memory_order_relaxed);
}

Service::Service(ServiceConfig config)
    : config_(std::move(config)), impl_(std::make_unique<Impl>()) {}

Service::~Service() { StopServer(); }

std::string Service::url() const {
  int port = impl_->api ? impl_->api->port() : config_.port;
  return "http://" + config_.host + ":" + std::to_string(port) + "/";
}

std::vector<std::string> Service::ParentsOf(const std::string& entity) const {
  std::vector<std::string> out;
  auto add = [&](std::string p) {
    if (p != entity && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  };
  if (auto country = store::EntityRef::FromCanonical(entity).CountryOfRegion()) {
    add(country->ToString());
  }
  bool in_scenario = false;
  if (impl_->scenario && entity.rfind("asn/", 0) == 0) {
    for (const sim::Network& n : impl_->scenario->networks) {
      if ("asn/" + std::to_string(n.asn) != entity) continue;
      in_scenario = true;
      for (const std::string& e : n.Entities()) {
        if (e.rfind("asn/", 0) != 0) add(e);
      }
    }
  }
  if (!in_scenario && impl_->geo && entity.rfind("asn/", 0) == 0) {
    for (std::string& p : impl_->geo->Parents(entity)) add(std::move(p));
  }
  return out;
}

Status Service::Prepare() {
  std::error_code ec;
  fs::create_directories(config_.data_dir, ec);
  if (ec) return IoError("cannot create " + config_.data_dir + ": " + ec.message());
  std::string url = config_.store_url.empty()
                        ? "sqlite:" + (fs::path(config_.data_dir) / "blackout.db").string()
                        : config_.store_url;
  BLACKOUT_ASSIGN_OR_RETURN(impl_->store, store::OpenStore(url));
  probe::JudgeOptions judge;
  judge.combine = config_.multisite;
  impl_->judge = std::make_unique<probe::MultiSiteJudge>(*impl_->store, judge);
  BLACKOUT_RETURN_IF_ERROR(impl_->judge->Restore());
  if (config_.geo) {
    geo::GeoOptions go;
    go.dir = config_.geo_dir;
    auto db = geo::GeoDb::Open(go);
    if (db.ok()) {
      impl_->geo = std::move(*db);
    } else {
      log::Warn("geo datasets unavailable (", db.status().ToString(),
                "); attributing with the scenario's network table");
    }
  }
  {
    // The geolocation datasets' credit lines, for the provenance every output states.
    const std::string geo_credit = impl_->geo ? geo::AttributionText() : std::string();
    auto saved = impl_->store->GetState(report::kGeoStateKey);
    if (!saved.ok() || *saved != geo_credit) {
      store::WriteBatch b;
      b.SetState(std::string(report::kGeoStateKey), geo_credit);
      BLACKOUT_RETURN_IF_ERROR(impl_->store->Apply(b).status());
    }
  }
  impl_->bgp.clear();
#ifdef BLACKOUT_HAVE_BGP
  std::vector<bgp::ArchiveSource> archives;
  for (const std::string& b : config_.bgp) {
    if (!bgp::IsArchiveSpec(b)) {
      impl_->bgp.push_back(b);
      continue;
    }
    BLACKOUT_ASSIGN_OR_RETURN(auto src, bgp::ParseArchiveSource(b));
    archives.push_back(std::move(src));
  }
  if (!archives.empty()) {
    bgp::FollowOptions fo;
    fo.cache_dir = fs::path(config_.data_dir) / "archives";
    fo.backfill_days = config_.bgp_backfill_days;
    fo.disk_budget_bytes = static_cast<uint64_t>(config_.bgp_disk_budget_mb) * 1'000'000;
    fo.fetch.abort = impl_->stop;
    impl_->follower = std::make_unique<bgp::ArchiveFollower>(std::move(archives), fo);
  }
#else
  impl_->bgp = config_.bgp;
#endif
  impl_->probe_records = config_.probe_records;
  impl_->logs = config_.logs;
  impl_->ooni = config_.ooni;
  impl_->darknet_inputs = config_.darknet;
#ifdef BLACKOUT_HAVE_BMP
  if (!config_.bmp.empty() || !config_.ris_live_url.empty()) {
    bgp::ViewOptions vo;
    if (config_.bgp_full_feed_v4 > 0)
      vo.full_feed_v4 = static_cast<uint64_t>(config_.bgp_full_feed_v4);
    if (impl_->geo) impl_->live_blocks = std::make_unique<bgp::GeoDbBlocks>(*impl_->geo);
    impl_->live = std::make_unique<bgp::LiveView>(vo, impl_->live_blocks.get());
    if (!config_.bmp.empty()) {
      bmp::StationOptions so;
      so.listen = config_.bmp;
      impl_->bmp = std::make_unique<bmp::Station>(so, impl_->live.get());
      BLACKOUT_RETURN_IF_ERROR(impl_->bmp->Start());
    }
#ifdef BLACKOUT_HAVE_RISLIVE
    if (!config_.ris_live_url.empty()) {
      impl_->ris_live = std::make_unique<RisLiveFeed>(config_.ris_live_url,
                                                      config_.ris_live_filters, *impl_->live);
    }
#endif
  }
#endif
  if (config_.simulate) {
    fs::path file =
        config_.scenario_file.empty() ? DefaultScenarioPath() : fs::path(config_.scenario_file);
    BLACKOUT_ASSIGN_OR_RETURN(auto scenario, sim::LoadScenario(file));
    notice_ = scenario.notice;
    fs::path dir = fs::path(config_.data_dir) / "scenario" / scenario.name;
    std::string state_key = "scenario:" + scenario.name;
    std::string stamp = std::to_string(scenario.seed) + "@" + std::to_string(scenario.start) + "-" +
                        std::to_string(scenario.end);
    auto done = impl_->store->GetState(state_key);
    if (!done.ok() || *done != stamp || !fs::exists(dir / "manifest.json", ec)) {
      log::Info("generating scenario ", scenario.name, " into ", dir.string(), " (once)");
      BLACKOUT_ASSIGN_OR_RETURN(auto out, sim::Simulate(scenario, dir));
      store::WriteBatch b;
      b.SetState(state_key, stamp);
      BLACKOUT_RETURN_IF_ERROR(impl_->store->Apply(b).status());
    }
    // `blackout serve` on this store shows the same notice.
    auto saved = impl_->store->GetState(kNoticeKey);
    if (!saved.ok() || *saved != notice_) {
      store::WriteBatch b;
      b.SetState(std::string(kNoticeKey), notice_);
      BLACKOUT_RETURN_IF_ERROR(impl_->store->Apply(b).status());
    }
    impl_->bgp.push_back((dir / "bgp").string());
    impl_->probe_records.push_back((dir / "probe" / (scenario.vantage + ".records")).string());
    impl_->logs.push_back((dir / "logs" / scenario.log_name).string());
    impl_->darknet_inputs.push_back((dir / "darknet").string());
    if (fs::exists(dir / "ooni", ec)) impl_->ooni.push_back((dir / "ooni").string());
    impl_->scenario = std::move(scenario);
  } else if (auto saved = impl_->store->GetState(kNoticeKey); saved.ok()) {
    notice_ = *saved;
  }
  return Status::Ok();
}

namespace {

// Probe records -> the `probe` signal (source = vantage, and the combined series).
Result<size_t> IngestProbeRecords(store::Store& st, const std::string& path,
                                  std::vector<std::string>* problems) {
  std::error_code ec;
  std::string key = "probe:" + fs::absolute(path, ec).string();
  BLACKOUT_ASSIGN_OR_RETURN(store::Store::FileCheck check, st.CheckFile(key, path));
  if (check.unchanged) return size_t{0};
  const std::string& hash = check.hash;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  auto records = probe::ParseRecords(ss.str(), path);
  if (!records.ok()) {
    problems->push_back(records.status().ToString());
    return size_t{0};
  }
  // Round lengths per vantage from the file's round lines; a count whose vantage has none takes
  // the prober's default round (Trinocular's 660 s).
  std::map<std::string, int64_t> steps;
  for (const auto& r : records->rounds) steps[r.vantage] = static_cast<int64_t>(r.seconds);
  const int64_t default_step = probe::ProberOptions{}.round_ns / probe::kNanosPerSecond;
  std::vector<probe::ProbeCount> counts;
  counts.reserve(records->counts.size());
  for (const auto& c : records->counts) {
    auto it = steps.find(c.vantage);
    counts.push_back({c.entity, c.vantage, c.round, it != steps.end() ? it->second : default_step,
                      static_cast<double>(c.up)});
  }
  store::WriteBatch batch;
  batch.SetInput(key, hash);
  probe::AddProbeCounts(batch, counts);
  const size_t points = batch.point_count();
  BLACKOUT_RETURN_IF_ERROR(st.Apply(batch).status());
  return points;
}

#ifdef BLACKOUT_HAVE_BGP
// The BGP sources: local files and folders, and the archive sources of `follower` (may be nullptr).
// Returns whether anything was written.
Result<bool> IngestBgp(const std::vector<std::string>& local, bgp::ArchiveFollower* follower,
                       const bgp::IngestOptions& opts, const geo::GeoDb* geo, store::Store& st,
                       PassReport* report) {
  std::vector<bgp::InputFile> files;
  if (!local.empty()) {
    auto described = bgp::DescribeInputs(local);
    if (!described.ok()) {
      report->problems.push_back(described.status().ToString());
      return false;
    }
    files = std::move(*described);
  }
  std::unique_ptr<bgp::GeoDbBlocks> blocks;
  if (geo != nullptr) blocks = std::make_unique<bgp::GeoDbBlocks>(*geo);
  BLACKOUT_ASSIGN_OR_RETURN(bgp::BgpPass pass,
                            bgp::RunBgpPass(files, follower, opts, blocks.get(), st));
  report->bgp_fetched = pass.follow.fetched;
  for (auto& p : pass.follow.problems) report->problems.push_back(std::move(p));
  report->bgp_files = pass.ingest.files_written;
  report->bgp_bins = pass.ingest.bins;
  for (const auto& p : pass.ingest.problem_texts) report->problems.push_back(p);
  if (!pass.trim.problem.empty()) report->problems.push_back(pass.trim.problem);
  bool changed = pass.ingest.files_written > 0;
  return changed;
}
#endif

// OONI measurement files and folders -> the app-blocking series (docs/ooni.md). Returns whether
// anything was written.
bool IngestOoni(const std::vector<std::string>& inputs, store::Store& st, PassReport* report) {
  bool changed = false;
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (!fs::exists(input, ec)) continue;
    auto files = ooni::ListMeasurementFiles({input});
    if (!files.ok()) {
      report->problems.push_back(files.status().ToString());
      continue;
    }
    for (const std::string& f : *files) {
      auto r = ooni::IngestFile(f, st);
      if (!r.ok()) {
        report->problems.push_back(r.status().ToString());
        continue;
      }
      for (const Status& p : r->read.problems) report->problems.push_back(p.ToString());
      if (r->unchanged) continue;
      ++report->ooni_files;
      report->ooni_measurements += r->read.measurements;
      changed = true;
    }
  }
  return changed;
}

// The app-blocking events from the stored OONI series.
void OoniEvents(store::Store& st, PassReport* report) {
  auto r = ooni::DetectAppBlocking(st);
  if (!r.ok()) {
    report->problems.push_back(r.status().ToString());
    return;
  }
  report->ooni_events = r->events;
}

// The prober's inputs: record files, and the rounds vantage points uploaded since the last pass
// (the late ones judged now, before detection). Returns whether anything changed.
Result<bool> IngestProbe(const std::vector<std::string>& files, std::atomic<bool>& uploaded,
                         probe::MultiSiteJudge& judge, store::Store& st, PassReport* report) {
  bool changed = uploaded.exchange(false);
  if (changed) BLACKOUT_RETURN_IF_ERROR(judge.Flush());
  for (const std::string& path : files) {
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;
    BLACKOUT_ASSIGN_OR_RETURN(size_t points, IngestProbeRecords(st, path, &report->problems));
    if (points) {
      ++report->probe_files;
      report->probe_points += points;
      changed = true;
    }
  }
  return changed;
}

// GET /api/v2/probe/vantages: each vantage point's health and the bins set aside.
std::string VantagesJson(const std::vector<probe::VantageHealth>& health) {
  nlohmann::json out = nlohmann::json::array();
  for (const probe::VantageHealth& h : health) {
    nlohmann::json aside = nlohmann::json::array();
    for (const auto& [from, until] : h.set_aside)
      aside.push_back({{"from", from}, {"until", until}});
    out.push_back({{"vantage", h.vantage},
                   {"health", h.healthy ? "healthy" : "unhealthy"},
                   {"blocks", h.blocks},
                   {"rounds", h.rounds},
                   {"step", h.step},
                   {"firstRound", h.first_round},
                   {"lastRound", h.last_round},
                   {"lastBin",
                    {{"seen", h.last.seen},
                     {"notUp", h.last.not_up},
                     {"countries", h.last.countries},
                     {"witnessed", h.last.witnessed},
                     {"contradicted", h.last.contradicted}}},
                   {"setAside", aside}});
  }
  return out.dump();
}

}  // namespace

Result<PassReport> Service::IngestPass() {
  auto started = SteadyClock::now();
  PassReport report;
  store::Store& st = *impl_->store;
  bool changed = false;

#ifdef BLACKOUT_HAVE_BGP
  if (!impl_->bgp.empty() || impl_->follower) {
    bgp::IngestOptions opts;
    int64_t full_feed = config_.bgp_full_feed_v4;
    if (full_feed < 0 && impl_->scenario) full_feed = 1;
    if (full_feed > 0) opts.view.full_feed_v4 = static_cast<uint64_t>(full_feed);
    opts.cancel = impl_->stop;
    // The telescope's unrouted-source rule takes the real view's prefixes (a scenario's view holds
    // only its own networks: every background source would be "unrouted").
    std::vector<Prefix> routed;
    if (!impl_->darknet_inputs.empty() && !impl_->scenario) opts.routed = &routed;
    BLACKOUT_ASSIGN_OR_RETURN(bool bgp_changed, IngestBgp(impl_->bgp, impl_->follower.get(), opts,
                                                          impl_->geo.get(), st, &report));
    changed |= bgp_changed;
    if (!routed.empty()) {
      impl_->routed = std::move(routed);
      impl_->routed_changed = true;
    }
  }
#else
  if (!impl_->bgp.empty()) report.skipped.push_back("bgp ingest (module not in this build)");
#endif

  if (Stopping()) return Unavailable("ingest cancelled");
  BLACKOUT_ASSIGN_OR_RETURN(
      bool probe_changed,
      IngestProbe(impl_->probe_records, impl_->probe_uploaded, *impl_->judge, st, &report));
  changed |= probe_changed;

  traffic::Attributor attribute;
  if (impl_->geo) {
    attribute = traffic::GeoAttributor(*impl_->geo);
  } else if (impl_->scenario) {
    const sim::Scenario* s = &*impl_->scenario;
    attribute = [s](const IpAddress& a, std::vector<std::string>* out) {
      for (const auto& n : s->networks) {
        for (const auto& p : n.prefixes) {
          if (p.Contains(a)) {
            for (auto& e : n.Entities()) out->push_back(e);
            return;
          }
        }
      }
    };
  } else {
    attribute = [](const IpAddress&, std::vector<std::string>*) {};
  }
  for (const std::string& path : impl_->logs) {
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;
    auto summary = traffic::IngestLog(path, attribute, st);
    if (!summary.ok()) {
      report.problems.push_back(summary.status().ToString());
      continue;
    }
    for (const auto& p : summary->problem_texts) report.problems.push_back(p);
    report.log_malformed += summary->malformed;
    if (!summary->unchanged) {
      ++report.log_files;
      report.log_points += summary->points;
      changed = true;
    }
  }
  changed |= IngestOoni(impl_->ooni, st, &report);

  if (!impl_->darknet_inputs.empty()) {
    if (!impl_->darknet) {
      darknet::DarknetOptions o;
      o.bpf = config_.darknet_bpf;
      impl_->darknet_attribute = attribute;  // live captures keep using it
      impl_->darknet = std::make_unique<darknet::DarknetSources>(impl_->darknet_inputs, o);
    }
    if (impl_->routed_changed) {
      impl_->darknet->SetRouted(std::make_shared<const darknet::RoutedSpace>(
          darknet::RoutedSpace::FromPrefixes(impl_->routed)));
      impl_->routed_changed = false;
      log::Info("darknet: unrouted-source rule on, ", impl_->routed.size(), " routed prefixes");
    }
    BLACKOUT_ASSIGN_OR_RETURN(auto d, impl_->darknet->Poll(impl_->darknet_attribute, st,
                                                           std::time(nullptr), impl_->stop));
    report.darknet_files = d.files;
    report.darknet_points = d.points;
    for (auto& p : d.problems) report.problems.push_back(std::move(p));
    changed |= d.points > 0;
  }

#ifdef BLACKOUT_HAVE_DETECT
  // The snapshot's expected values are computed with the same config as detection (also when this
  // process does not detect: `blackout serve` shows what the configured detector judges).
  detect::DetectConfig dc = detect::DefaultConfig();
  if (!config_.detect_config.empty()) {
    BLACKOUT_ASSIGN_OR_RETURN(dc, detect::LoadConfig(config_.detect_config));
  }
  const detect::DetectConfig* expected_config = &dc;
  if (config_.run_detection && (changed || impl_->detect_needed)) {
    // Every entity over everything stored (each entity's grid follows its own data), through the
    // same glue as `blackout detect`; carriers by ParentsOf.
    if (Stopping()) return Unavailable("detection cancelled");
    detect::StoreDetectOptions opt;
    opt.from = 0;
    opt.until = INT64_MAX;
    opt.config = dc;
    opt.write = true;
    opt.parents = [this](std::string_view e) { return ParentsOf(std::string(e)); };
    BLACKOUT_ASSIGN_OR_RETURN(auto d, detect::DetectInStore(st, opt));
    for (const Status& p : d.problems) report.problems.push_back(p.ToString());
    report.alerts += static_cast<size_t>(d.alerts);
    report.events += d.events.size();
    report.entities_detected += static_cast<size_t>(d.entities);
    impl_->detect_needed = false;
  }
#else
  report.skipped.push_back("detection (module not in this build)");
  const detect::DetectConfig* expected_config = nullptr;
#endif
  // After detection, which rewrites the events of the entities it judges.
  if (!impl_->ooni.empty()) OoniEvents(st, &report);

  BLACKOUT_RETURN_IF_ERROR(ReloadSnapshot(expected_config));
  // Matching and queueing only: delivery runs on the webhooks' own threads.
  if (impl_->webhooks) impl_->webhooks->AfterPass(data_, impl_->api.get());
  report.seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  if (impl_->api) {
    server::Metrics& m = impl_->api->metrics();
    m.AddCounter("blackout_ingest_passes_total", "Ingest/detection passes run.", 1);
    m.AddCounter("blackout_bins_processed_total", "Signal bins written by ingest.",
                 static_cast<double>(report.bgp_bins + report.probe_points + report.log_points +
                                     report.darknet_points));
    m.SetGauge("blackout_alerts", "Alerts (warning and critical) in the store.",
               static_cast<double>(report.alerts));
    m.SetGauge("blackout_events", "Events in the store.", static_cast<double>(report.events));
    m.SetGauge("blackout_ingest_pass_seconds", "Duration of the last pass.", report.seconds);
    m.SetGauge("blackout_ingest_last_pass_timestamp_seconds", "When the last pass ended.",
               static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count()));
  }
  return report;
}

Status Service::ReloadSnapshot(const detect::DetectConfig* expected_config) {
  NameLookup names = [this](const std::string& entity) -> std::string {
    if (impl_->scenario) {
      std::string n = impl_->scenario->EntityName(entity);
      if (!n.empty()) return n;
    }
    if (impl_->geo) {
      auto id = geo::ParseEntity(entity);
      if (id.ok()) return impl_->geo->Name(*id);
    }
    return "";
  };
  // IODA's attrs (docs/api.md, "IODA clients"): the IPv4 addresses the geo data gives an entity.
  AttrsLookup attrs = [this](const std::string& entity) {
    std::map<std::string, std::string> out;
    if (!impl_->geo) return out;
    auto id = geo::ParseEntity(entity);
    if (!id.ok()) return out;
    if (const geo::Entity* e = impl_->geo->Find(*id)) {
      out["ip_count"] = std::to_string(e->ipv4_addresses);
    }
    return out;
  };
  return LoadSnapshot(
             *impl_->store, names, &data_, [this](const std::string& e) { return ParentsOf(e); },
             expected_config, attrs)
      .status();
}

Status Service::StartServer() {
  server::ServerOptions o;
  o.host = config_.host;
  o.port = config_.port;
  o.token = config_.token;
  o.threads = config_.threads;
  o.cors_origins = config_.cors_origins;
  o.notice = notice_;
  if (!config_.web_root.empty()) {
    o.web_root = config_.web_root;
  } else {
    o.web_root = fs::path(BLACKOUT_SOURCE_DIR_DEFAULT) / "web" / "dist";
  }
  server::Actions actions;
  actions.reingest = [this] {
    impl_->pass_requested = true;
    return Status::Ok();
  };
  actions.probe_upload = [this](std::string_view body) -> Result<std::string> {
    BLACKOUT_ASSIGN_OR_RETURN(probe::UploadResult r, impl_->judge->Ingest(body));
    if (r.outcome == probe::UploadOutcome::kApplied) {
      impl_->probe_uploaded = true;
      impl_->pass_requested = true;
    }
    nlohmann::json j = {
        {"kind", r.kind},
        {"vantage", r.vantage},
        {"outcome", r.outcome == probe::UploadOutcome::kApplied ? "applied" : "duplicate"}};
    if (r.kind == "round") j["round"] = r.round;
    return j.dump();
  };
  actions.probe_vantages = [this] {
    if (Status st = impl_->judge->Flush(); !st.ok()) log::Error("probe judge: ", st.ToString());
    return VantagesJson(impl_->judge->Health());
  };
  impl_->webhooks = std::make_unique<Webhooks>(
      *impl_->store, [this](const std::string& e) { return ParentsOf(e); });
  impl_->webhooks->FillActions(actions);
  impl_->api = std::make_unique<server::ApiServer>(data_, o, actions);
  BLACKOUT_RETURN_IF_ERROR(impl_->api->Start());
  impl_->webhooks->RefreshCurated(data_, *impl_->api);
  // `blackout serve` runs no detection: nothing to notify of.
  if (config_.run_detection) {
    BLACKOUT_RETURN_IF_ERROR(impl_->webhooks->Start("http://" + config_.host + ":" +
                                                    std::to_string(impl_->api->port())));
  }
  return Status::Ok();
}

void Service::RunUntil(const std::atomic<bool>& stop,
                       const std::function<void(const PassReport&)>& on_pass) {
  auto next = SteadyClock::now() + std::chrono::seconds(config_.poll_seconds);
#ifdef BLACKOUT_HAVE_BMP
  // The live bins: the provisional one rewritten, closed ones written once; then the snapshot is
  // reloaded by a pass (detection runs when a bin closed). Withdraw-to-API well under 10 s.
  constexpr auto kLiveEvery = std::chrono::seconds(2);
  auto next_live = SteadyClock::now();
  auto LiveTick = [this] {
    const UnixSeconds now = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
    const std::vector<bgp::LiveBin> bins = impl_->live->Advance(now);
    store::WriteBatch b;
    bgp::AddLiveBins(bins, impl_->live->step(), &b);
    if (auto r = impl_->store->Apply(b); !r.ok()) {
      log::Error("live BGP bins not written: ", r.status().ToString());
    }
    if (bins.size() > 1) {
      // A bin closed: a whole pass (detection over it, then the snapshot).
      impl_->detect_needed = true;
      impl_->pass_requested = true;
    } else {
      // Only the provisional bin moved: reload the snapshot alone (a pass would re-check every
      // archive file against the ledger every tick).
#ifdef BLACKOUT_HAVE_DETECT
      detect::DetectConfig dc = detect::DefaultConfig();
      if (!config_.detect_config.empty()) {
        if (auto loaded = detect::LoadConfig(config_.detect_config); loaded.ok()) dc = *loaded;
      }
      const detect::DetectConfig* expected_config = &dc;
#else
      const detect::DetectConfig* expected_config = nullptr;
#endif
      if (Status st = ReloadSnapshot(expected_config); !st.ok()) {
        log::Error("snapshot reload after a live tick failed: ", st.ToString());
      }
    }
    if (impl_->api && impl_->bmp) {
      const bmp::StationStats s = impl_->bmp->stats();
      server::Metrics& m = impl_->api->metrics();
      m.SetGauge("blackout_bmp_sessions_open", "BMP sessions open.", double(s.sessions_open));
      m.SetGauge("blackout_bmp_messages", "BMP messages decoded.", double(s.messages));
      m.SetGauge("blackout_bmp_problems", "Problems in BMP messages.", double(s.problems));
      m.SetGauge("blackout_bmp_closed_garbage", "BMP sessions closed: not BMP.",
                 double(s.closed_garbage));
      m.SetGauge("blackout_bmp_closed_stalled", "BMP sessions closed: stalled.",
                 double(s.closed_stalled));
      m.SetGauge("blackout_bmp_closed_disconnect", "BMP sessions closed: disconnected.",
                 double(s.closed_disconnect));
      m.SetGauge("blackout_bmp_sessions_refused", "BMP sessions refused (limit).",
                 double(s.sessions_refused));
      m.SetGauge("blackout_bmp_closed_replaced", "BMP sessions closed: the router reconnected.",
                 double(s.closed_replaced));
    }
#ifdef BLACKOUT_HAVE_RISLIVE
    if (impl_->api && impl_->ris_live) {
      const rislive::SourceStats s = impl_->ris_live->stats();
      server::Metrics& m = impl_->api->metrics();
      m.SetGauge("blackout_rislive_connected", "RIS Live connected (1) or not (0).",
                 s.connected ? 1.0 : 0.0);
      m.SetGauge("blackout_rislive_messages", "RIS Live messages received.", double(s.messages));
      m.SetGauge("blackout_rislive_problems", "RIS Live messages skipped as malformed.",
                 double(s.problems));
      m.SetGauge("blackout_rislive_gaps", "RIS Live connections lost (gaps).", double(s.gaps));
    }
#endif
  };
#endif
  while (!stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (stop) break;
#ifdef BLACKOUT_HAVE_BMP
    if (impl_->live && SteadyClock::now() >= next_live) {
      LiveTick();
      next_live = SteadyClock::now() + kLiveEvery;
    }
#endif
    if (SteadyClock::now() < next && !impl_->pass_requested) continue;
    impl_->pass_requested = false;
    auto r = IngestPass();
    if (!r.ok()) {
      if (!Stopping()) log::Error("ingest pass failed: ", r.status().ToString());
    } else if (on_pass) {
      on_pass(*r);
    }
    next = SteadyClock::now() + std::chrono::seconds(config_.poll_seconds);
  }
  StopServer();
}

void Service::StopServer() {
#ifdef BLACKOUT_HAVE_BMP
  if (impl_ && impl_->bmp) impl_->bmp->Stop();
#endif
#ifdef BLACKOUT_HAVE_RISLIVE
  if (impl_) impl_->ris_live.reset();
#endif
  if (impl_ && impl_->webhooks) impl_->webhooks->Stop();
  if (impl_ && impl_->api) impl_->api->Stop();
}

}  // namespace blackout::service
