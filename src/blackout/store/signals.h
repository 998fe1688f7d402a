// The signal registry: the one declaration of what blackout measures. Every name, IODA alias,
// label, unit, native step and plane of a signal is here, and the store's canonical names, the
// detector's signals, the API's datasources and the exports read them from here, so that they
// cannot disagree. A new signal is one entry plus its own ingest module (docs/architecture.md).
// Thread-safety: constant data.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace blackout::store {

// What a signal measures, which decides what its drop alone can mean (docs/detect.md): the routes
// to a network (control plane), whether its address blocks answer (data plane), or how much its
// hosts and users do (activity), which also falls for reasons that are no outage. Application
// blocking (OONI) says whether applications are reachable on networks that are up: never a
// connectivity vote.
enum class SignalPlane : uint8_t { kControl = 0, kData = 1, kActivity = 2, kApplication = 3 };

struct SignalInfo {
  std::string_view name;         // canonical, in the store and blackout's API: "probe"
  std::string_view datasource;   // the API's datasource (IODA's name where it is the same
                                 // measurement): "ping-slash24"
  std::string_view ioda_alias;   // another IODA name accepted on input ("" = none): "gtr"
  std::string_view short_label;  // "Active probing"
  std::string_view label;        // "Active probing (/24 networks answering)"
  std::string_view unit;         // "Up /24s"
  std::string_view measures;     // what a value counts, for legends: "/24 blocks answering"
  int64_t native_step = 300;     // seconds
  SignalPlane plane = SignalPlane::kData;
  std::string_view ingest;  // the module that produces it ("" = none yet: not served)
};

// In a fixed order (the detector's Signal enum follows it): traffic, darknet, bgp, probe; then the
// signals the connectivity detector does not judge (app-blocking, docs/ooni.md).
std::span<const SignalInfo> Signals();

// The entry named `name` (canonical name, datasource or alias, case-insensitive), or nullptr.
const SignalInfo* FindSignal(std::string_view name);

}  // namespace blackout::store
