// The scenario simulator: from a Scenario, writes realistic inputs in their real formats into an
// output folder, deterministically for the scenario's seed:
//
//   bgp/COLLECTOR/bview.YYYYMMDD.HHMM.gz     TABLE_DUMP_V2 RIB dumps (every rib_interval)
//   bgp/COLLECTOR/updates.YYYYMMDD.HHMM.gz   BGP4MP MESSAGE_AS4 updates (every update_interval)
//   probe/VANTAGE.records                    prober records, format of docs/probe.md (v1)
//   logs/ACCESS.log                          web-server access log, combined log format
//   truth.json                               the injected outages (the scenario's truth section)
//   manifest.json                            what was written, the notice, the seed
//
// The model (docs/scenario.md): each network's level at time t is the lowest level of the truth
// events covering it; routes-withdrawn removes that share of its prefixes from BGP (and so from the
// data plane), packets-filtered makes that share of its /24s and clients unreachable while BGP
// stays, throttling thins the clients only. Diurnal cycles, probing noise and BGP churn come from
// a keyed hash of the seed, so the same scenario and seed give byte-identical files.
// Thread-safety: Simulate is a pure function of its inputs (plus the files it writes).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/sim/scenario.h"

namespace blackout::sim {

struct SimulationOutput {
  std::vector<std::filesystem::path> rib_files;
  std::vector<std::filesystem::path> update_files;
  std::filesystem::path probe_records;
  std::filesystem::path access_log;
  std::filesystem::path truth;
  std::filesystem::path manifest;
  uint64_t bgp_messages = 0;
  uint64_t probe_rounds = 0;
  uint64_t log_lines = 0;
  std::filesystem::path telescope;  // darknet/telescope.pcap.gz (telescope.h)
  uint64_t telescope_packets = 0;
};

// Writes everything under `outdir` (created if missing; existing files are overwritten).
Result<SimulationOutput> Simulate(const Scenario& scenario, const std::filesystem::path& outdir);

// The level of network `n` at time t (1 = ordinary) and the technique that caused it; exposed for
// tests and for scoring. `technique` is left alone when the level is 1.
double NetworkLevel(const Scenario& s, size_t n, UnixSeconds t, Technique* technique = nullptr);

// The truth as JSON (what truth.json holds).
std::string TruthJson(const Scenario& s);

}  // namespace blackout::sim
