// A scenario: the networks to simulate, the measurement setup (collectors and peers, a prober's
// vantage point, a web server's access log), and the truth: the outages to inject, with their
// phases. Parsed from TOML (format in docs/scenario.md). The truth section is what `blackout
// evaluate` and the simulator's tests score detections against. Thread-safety: value types.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/base/status.h"
#include "blackout/base/time.h"
#include "blackout/store/types.h"

namespace blackout::sim {

// The store's technique vocabulary, one for the whole project (store/types.h). A scenario injects
// three of them: routes withdrawn, packets filtered, throttling.
using Technique = store::Technique;
using store::TechniqueName;
// The injectable techniques only: "routes-withdrawn", "packets-filtered", "throttling".
Result<Technique> ParseTechnique(std::string_view name);

// One network: an origin AS's prefixes in one country (and optionally one region).
struct Network {
  uint32_t asn = 0;
  std::string name;     // "JSC Kazakhtelecom"
  std::string country;  // "KZ"
  std::string region;   // "KZ-ALA" or ""
  std::string region_name;
  std::string kind;  // free text: "fixed", "mobile", "data-centre"
  std::vector<Prefix> prefixes;
  double traffic_share = 1;  // relative weight of its clients in the access log

  // The entities it belongs to: "country/KZ", "region/KZ-ALA" (if any), "asn/9198".
  std::vector<std::string> Entities() const;
};

struct Peer {
  uint32_t asn = 0;
  IpAddress address;
};

struct Collector {
  std::string name;
  IpAddress bgp_id;
  std::vector<Peer> peers;
};

// A change of level inside an outage: [start, end) at `level` (a partial restoration, or a
// gradual onset).
struct Phase {
  UnixSeconds start = 0;
  UnixSeconds end = 0;
  double level = 0;
  std::string label;
};

// One injected outage: during [start, end), the networks of `entities` (minus `exclude`) run at
// `level` (fraction of ordinary: 0 = nothing, 1 = as usual), except during phases.
struct TruthEvent {
  std::string id;
  std::vector<std::string> entities;  // "country/KZ", "asn/21299", "region/KZ-ALA"
  std::vector<std::string> exclude;
  UnixSeconds start = 0;
  UnixSeconds end = 0;
  double level = 0.05;
  Technique technique = Technique::kPacketsFiltered;
  std::vector<Phase> phases;
  std::string description;
  // Truth only: what the injected cuts do to an entity that holds the cut networks (a country
  // whose mobile networks are cut), for scoring; generates nothing.
  bool observed = false;

  // The level at time t (REQUIRES start <= t < end).
  double LevelAt(UnixSeconds t) const;
  bool Covers(const Network& n) const;
};

struct Scenario {
  std::string name;
  std::string title;
  std::string notice;  // shown by the API and dashboard: says the data are simulated
  uint64_t seed = 1;
  UnixSeconds start = 0;
  UnixSeconds end = 0;

  // [bgp]
  int64_t update_interval = 300;
  int64_t rib_interval = 86400;
  double churn = 0.01;  // fraction of prefixes re-announced (path change) per interval
  std::vector<uint32_t> transit;
  std::vector<Collector> collectors;

  // [probe]
  std::string vantage = "sim-vp1";
  int64_t round_seconds = 660;
  double probe_noise = 0.002;  // chance a block is missed for one round
  int64_t max_blocks_per_network = 256;

  // [traffic]
  std::string log_name = "access.log";
  double clients_per_bin = 30;  // unique clients per 5 minutes at the daily peak, all networks
  double diurnal_amplitude = 0.6;
  int utc_offset_hours = 6;
  std::string vhost = "news.example";
  std::vector<Prefix> other_client_prefixes;  // visitors from elsewhere
  double other_clients_per_bin = 5;

  std::vector<Network> networks;
  std::vector<TruthEvent> truth;
  std::map<std::string, std::string> names;  // [names]: entity -> display name

  // Every entity the scenario's networks belong to, sorted ("asn/9198", "country/KZ", ...).
  std::vector<std::string> Entities() const;
  // Display name of an entity ("" if unknown).
  std::string EntityName(std::string_view entity) const;
};

Result<Scenario> ParseScenario(std::string_view toml_text, std::string_view source_name = "");
Result<Scenario> LoadScenario(const std::filesystem::path& path);

}  // namespace blackout::sim
