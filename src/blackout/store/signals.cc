#include "blackout/store/signals.h"

#include <array>
#include <cctype>

namespace blackout::store {

namespace {

// Decisions (docs/architecture.md): blackout's traffic is unique clients of web servers, not
// Google's traffic (IODA's gtr), so its datasource stays "traffic"; "gtr" is accepted on input
// (IODA CSV imports) as the same kind of signal. The telescope is IODA's merit-nt (unique sources
// per bin, src/blackout/darknet); its counts above 1,536 sources per entity and bin are HyperLogLog
// estimates, and `measures` says so, with their error (the label stays the dashboard's).
constexpr std::array<SignalInfo, 5> kSignals = {{
    {"traffic", "traffic", "gtr", "Web traffic",
     "Passive traffic (unique client addresses in web-server logs)", "Unique clients",
     "unique clients in web-server logs (not volume)", 300, SignalPlane::kActivity, "traffic"},
    {"darknet", "merit-nt", "telescope", "Darknet",
     "Network telescope (unique source addresses reaching a darknet)", "Unique sources",
     "unique sources seen by the network telescope (exact up to 1,536 per bin, then a "
     "HyperLogLog estimate, standard error 0.81%)",
     300, SignalPlane::kActivity, "darknet"},
    {"bgp", "bgp", "", "BGP", "BGP (visible /24 networks in the global routing table)",
     "Visible /24s", "/24 blocks visible in the global routing table", 300, SignalPlane::kControl,
     "bgp"},
    {"probe", "ping-slash24", "", "Active probing", "Active probing (/24 networks answering)",
     "Up /24s", "/24 blocks answering", 600, SignalPlane::kData, "probe"},
    // OONI Probe measurements that found an application blocked (series source = the app).
    {"app-blocking", "ooni", "", "App blocking",
     "Application blocking (OONI Probe measurements finding an app blocked)",
     "Blocked measurements", "OONI measurements that found an application blocked", 3600,
     SignalPlane::kApplication, "ooni"},
}};

bool SameCaseless(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::span<const SignalInfo> Signals() { return kSignals; }

const SignalInfo* FindSignal(std::string_view name) {
  for (const SignalInfo& s : kSignals) {
    if (SameCaseless(name, s.name) || SameCaseless(name, s.datasource) ||
        SameCaseless(name, s.ioda_alias)) {
      return &s;
    }
  }
  return nullptr;
}

}  // namespace blackout::store
