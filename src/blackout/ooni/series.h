// OONI measurements as series: per entity, application and bin (1 hour by default: OONI volumes
// are low), how many measurements gave a verdict about the application, how many said it was
// blocked (and how), and how many failed. Entities: the probe's country (country/KZ), its network
// (asn/9198, from probe_asn) and the network within the country (geoasn/KZ-9198, the store's
// vocabulary for a country-ASN pair, geo/entity.h). A measurement whose verdict is "unknown" is
// counted nowhere: it says nothing about the application.
//
// Store keys (docs/ooni.md, "Series"):
//   ENTITY | app-blocking     | APP        blocked measurements       (registry: datasource "ooni")
//   ENTITY | app-blocking     | ""         blocked measurements, all applications
//   ENTITY | app-measurements | APP        measurements with a verdict (ok + blocked + failed)
//   ENTITY | app-failed       | APP        failed measurements
//   ENTITY | app-blocked-by   | APP:METHOD blocked measurements by method (dns, tcp-ip, tls, http,
//                                          unspecified)
// Thread-safety: value types; one call per thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/time.h"
#include "blackout/ooni/measurement.h"
#include "blackout/store/types.h"

namespace blackout::ooni {

inline constexpr std::string_view kSignalAppBlocking = "app-blocking";
inline constexpr std::string_view kSignalAppMeasurements = "app-measurements";
inline constexpr std::string_view kSignalAppFailed = "app-failed";
inline constexpr std::string_view kSignalAppBlockedBy = "app-blocked-by";
inline constexpr int64_t kDefaultOoniStep = 3600;

// "dns", "tcp-ip", "tls", "http", "unspecified" (series sources: APP:METHOD).
std::string_view MethodKey(Method m);
Method ParseMethodKey(std::string_view key);

// Counts of one (entity, app, bin).
struct Cell {
  int64_t measured = 0, blocked = 0, failed = 0;
  std::array<int64_t, 6> by_method{};  // blocked, indexed by Method

  Cell& operator+=(const Cell& o);
  Cell& operator-=(const Cell& o);
  bool empty() const { return measured == 0; }
};

struct CellKey {
  std::string entity, app;
  UnixSeconds bin = 0;
  friend auto operator<=>(const CellKey& a, const CellKey& b) {
    return std::tie(a.entity, a.app, a.bin) <=> std::tie(b.entity, b.app, b.bin);
  }
  friend bool operator==(const CellKey&, const CellKey&) = default;
};

using CellMap = std::map<CellKey, Cell>;

struct EntityOptions {
  bool asn = true;     // asn/N
  bool geoasn = true;  // geoasn/CC-N
};

// The entities a measurement counts for: country/CC, asn/N, geoasn/CC-N (no ASN ones for AS0).
std::vector<std::string> EntitiesOf(const Measurement& m, const EntityOptions& options);

// Adds one measurement (nothing for an unknown verdict).
void AddMeasurement(const Measurement& m, int64_t step, const EntityOptions& options,
                    CellMap* cells);

// A compact text form of a CellMap (one line per cell), for the store's state.
std::string SerializeCells(const CellMap& cells);
Result<CellMap> ParseCells(std::string_view text);

// The series values `cells` make: (series key, bin start) -> count, the combined app-blocking
// series (source "") included. With a CellMap of differences, the differences of the series.
using SeriesValues = std::map<std::pair<store::SeriesKey, UnixSeconds>, double>;
SeriesValues ToSeriesValues(const CellMap& cells);

}  // namespace blackout::ooni
