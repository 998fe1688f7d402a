// The scenario's network telescope: a capture (pcap, gzip-compressed) of the background radiation a
// darknet would receive from the scenario's networks and from elsewhere, with each network's
// sources suppressed by its outage level (routes withdrawn or packets filtered; throttling leaves
// scanners and backscatter alone), plus spoofed noise the telescope's filter must drop.
// docs/darknet.md ("Simulated telescope"). Thread-safety: pure function of the scenario.
#pragma once

#include <cstdint>
#include <filesystem>

#include "blackout/base/status.h"
#include "blackout/sim/scenario.h"

namespace blackout::sim {

// Writes OUTDIR/darknet/telescope.pcap.gz; `*packets` = packets written.
Status WriteTelescope(const Scenario& s, const std::filesystem::path& outdir,
                      std::filesystem::path* capture, uint64_t* packets);

}  // namespace blackout::sim
