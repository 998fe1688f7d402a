// The observatory service behind `blackout run`: one process that ingests (BGP archives, prober
// records, web-server logs), runs detection, and serves the API and dashboard. Without a config it
// generates the Kazakhstan scenario once into the data directory and ingests it through the same
// paths as real data. Configuration keys, defaults and meaning: docs/config.md.
//
// Each pass (IngestPass) polls every source; inputs already in the store's ledger with the same
// content hash are skipped, so a pass is cheap when nothing changed and a restart never double
// counts. Detection then re-runs over the entities' series and the API's snapshot is reloaded.
// Thread-safety: a Service is driven from one thread; the API it starts serves from its own pool.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/probe/combine.h"
#include "blackout/server/api.h"
#include "blackout/server/data.h"

namespace blackout::detect {
struct DetectConfig;
}

namespace blackout::service {

struct ServiceConfig {
  // [data]
  std::string data_dir = "./blackout-data";
  // [store]
  std::string store_url;  // "" = sqlite:<data_dir>/blackout.db
  // [scenario]
  bool simulate = true;       // generate and ingest the scenario (default: only without sources)
  std::string scenario_file;  // "" = scenarios/kazakhstan-2022.toml found next to the binary/tree
  // [sources]
  // MRT files or folders (RIS/RouteViews layout), or archive sources followed into
  // <data_dir>/archives: "ris:rrc00", "routeviews:route-views2", URL templates (docs/archives.md).
  std::vector<std::string> bgp;
  std::vector<std::string> probe_records;  // prober record files (docs/probe.md)
  std::vector<std::string> logs;           // access logs (combined log format)
  std::vector<std::string> ooni;           // OONI measurement files or folders (docs/ooni.md)
  std::vector<std::string> bmp;            // BMP station listen addresses, HOST:PORT (docs/bmp.md)
  // RIS Live (docs/rislive.md): sources.ris_live = { url, filters }; "" = off. Filters by RIS
  // Live's names (host, prefix, moreSpecific, ...), booleans as "true"/"false".
  std::string ris_live_url;
  std::map<std::string, std::string> ris_live_filters;
  // Telescope captures (docs/darknet.md): pcap/pcapng files, folders, "if:NAME" interfaces, and
  // the BPF filter applied to every one of them ("" = none).
  std::vector<std::string> darknet;
  std::string darknet_bpf;
  int64_t poll_seconds = 300;
  int bgp_backfill_days = 1;            // archive sources start this many days back
  int64_t bgp_disk_budget_mb = 10'000;  // archive cache budget (MB of 10^6 bytes)
  // Peers announcing at least this many IPv4 prefixes count as full feeds for the BGP signal;
  // -1 = the BGP module's default, or 1 for a scenario (its peers carry only its networks).
  int64_t bgp_full_feed_v4 = -1;
  // [geo]
  bool geo = true;  // attribute with the geo datasets (falls back to the scenario's table)
  std::string geo_dir;
  // [detect]
  std::string detect_config;  // detector TOML ("" = built in)
  bool run_detection = true;  // false for `blackout serve` (serve what the store holds)
  // [probe]: the multi-site judgement of uploaded rounds (docs/probe.md, "Multi-site judgement"):
  // when a vantage point's own connectivity is suspected and its rounds set aside.
  probe::CombineOptions multisite;
  // [server]
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string token;
  std::string web_root;  // "" = web/dist of the source tree, if present
  int threads = 16;
  // Browser origins allowed to read the API (CORS): ["*"] = any (IODA's read API allows any);
  // [] = none. Writes are never opened to other origins.
  std::vector<std::string> cors_origins = {"*"};
};

// Parses the TOML config (unknown keys are errors, so typos do not pass silently).
Result<ServiceConfig> ParseServiceConfig(std::string_view toml_text, std::string_view origin);
Result<ServiceConfig> LoadServiceConfig(const std::filesystem::path& path);

struct PassReport {
  size_t bgp_files = 0, bgp_bins = 0;
  size_t bgp_fetched = 0;  // archive files downloaded this pass
  size_t probe_files = 0, probe_points = 0;
  size_t log_files = 0, log_points = 0, log_malformed = 0;
  size_t ooni_files = 0, ooni_measurements = 0, ooni_events = 0;
  size_t darknet_files = 0, darknet_points = 0;
  size_t entities_detected = 0, alerts = 0, events = 0;
  std::vector<std::string> problems;  // input problems (reported, the rest ingested)
  std::vector<std::string> skipped;   // stages not available in this build
  double seconds = 0;
};

class Service {
 public:
  explicit Service(ServiceConfig config);
  ~Service();

  // Opens the store and geo data, generates the scenario if configured and not yet generated.
  Status Prepare();
  // When `*stop` becomes true, a running IngestPass stops early (within a BGP file's few
  // thousand elements or one entity's detection) and returns kUnavailable "... cancelled"; what
  // it wrote is whole (every store write is one atomic batch with its ledger entry) and the next
  // pass resumes. REQUIRES: `stop` outlives the service.
  void SetStopFlag(const std::atomic<bool>* stop);
  bool Stopping() const;
  // One poll of every source + detection + snapshot reload.
  Result<PassReport> IngestPass();
  // Starts the API (binds the address). REQUIRES: Prepare() succeeded.
  Status StartServer();
  // Passes every poll_seconds until `stop` becomes true; then stops the server cleanly.
  void RunUntil(const std::atomic<bool>& stop,
                const std::function<void(const PassReport&)>& on_pass);
  void StopServer();

  std::string url() const;
  const std::string& notice() const { return notice_; }
  server::MemoryData& data() { return data_; }

  // The entities `entity` belongs to: a region's country; an ASN's country and region from the
  // scenario's network table, else its main country from the geo datasets. After Prepare.
  std::vector<std::string> ParentsOf(const std::string& entity) const;

 private:
  // Loads the API's read model from the store: the end of every pass, and alone after a live tick
  // that closed no bin. `expected_config`: the detector's config for the expected values (may be
  // null: none).
  Status ReloadSnapshot(const detect::DetectConfig* expected_config);

  struct Impl;
  ServiceConfig config_;
  std::string notice_;
  server::MemoryData data_;
  std::unique_ptr<Impl> impl_;
};

// Finds scenarios/kazakhstan-2022.toml: next to the source tree the binary was built from, then
// <exe>/../share/blackout/scenarios, then ./scenarios.
std::filesystem::path DefaultScenarioPath();

}  // namespace blackout::service
