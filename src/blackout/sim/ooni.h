// OONI Probe measurements for a scenario, in OONI's raw format and its data store's layout
// (raw/YYYYMMDD/HH/CC/TEST/*.jsonl.gz, HH = the hour the measurement reached OONI), from
// volunteers on the scenario's fixed and mobile networks running the messaging tests (telegram,
// whatsapp, signal, facebook_messenger). docs/ooni.md, "Simulation", says what the model does:
// messaging apps are blocked on mobile networks from two days before the first outage covering
// them, staggered per network (2-4 January in the Kazakhstan scenario); while a network is cut,
// its probes rarely run, their measurements fail, and they reach OONI when the network is back or
// never. Every measurement's annotations say SIMULATION. Thread-safety: a pure function of the
// scenario (and the filesystem it writes).
#pragma once

#include <cstdint>
#include <filesystem>

#include "blackout/base/status.h"
#include "blackout/sim/scenario.h"

namespace blackout::sim {

struct OoniOutput {
  uint64_t measurements = 0;  // written (uploaded)
  uint64_t lost = 0;          // run during a cut and never uploaded
  uint64_t files = 0;
};

// Writes OUTDIR/ooni/raw/... Errors: kIoError.
Result<OoniOutput> WriteOoni(const Scenario& scenario, const std::filesystem::path& outdir);

}  // namespace blackout::sim
