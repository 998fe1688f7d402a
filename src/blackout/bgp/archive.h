// Where public route-collector archives keep their MRT files: RIPE RIS and RouteViews URL layouts
// and file naming (docs/archives.md describes both). Pure functions: no I/O. Thread-safety: value
// types.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/time.h"

namespace blackout::bgp {

enum class ArchiveProject { kRis, kRouteViews };
enum class ArchiveFileKind { kRib, kUpdates };

// One collector's archive layout.
struct Collector {
  std::string name;  // "rrc00", "route-views2", "route-views.sydney"
  ArchiveProject project = ArchiveProject::kRis;
  int64_t rib_period = 0;      // seconds between RIB dumps (RIS 8 h, RouteViews 2 h)
  int64_t updates_period = 0;  // seconds covered by one update file (RIS 5 min, RouteViews 15 min)
};

// Parses a collector name: "rrcNN" is RIS; "route-views2" and "route-views*" / "route-views.*" are
// RouteViews. Anything else is kInvalidArgument.
Result<Collector> ParseCollector(std::string_view name);

// The default base URL of a project: "https://data.ris.ripe.net" or
// "http://archive.routeviews.org".
std::string DefaultBaseUrl(ArchiveProject project);

// One file in an archive.
struct ArchiveFile {
  ArchiveFileKind kind = ArchiveFileKind::kUpdates;
  UnixSeconds time = 0;  // the time in the file name (start of what it covers)
  std::string relative;  // path below the base URL, also used below the local directory
  std::string url;       // base URL + "/" + relative
};

// Path of one file below the base URL, e.g. RIS "rrc00/2021.01/updates.20210101.0455.gz",
// RouteViews "route-views.sydney/bgpdata/2021.01/UPDATES/updates.20210101.0445.bz2" (route-views2
// has no collector folder: "bgpdata/2021.01/RIBS/rib.20210101.0000.bz2").
// REQUIRES: `time` is aligned to the collector's period for `kind`.
std::string ArchivePath(const Collector& c, ArchiveFileKind kind, UnixSeconds time);

// Every file of the collector whose covered interval intersects [from, until): update files
// starting in [BinStart(from), until) and RIB dumps starting in [BinStart(from, rib_period),
// until), RIB first at equal times. `include_ribs` / `include_updates` select kinds. `base_url`
// without a trailing slash (one is removed if present).
std::vector<ArchiveFile> ListArchiveFiles(const Collector& c, std::string_view base_url,
                                          UnixSeconds from, UnixSeconds until, bool include_ribs,
                                          bool include_updates);

}  // namespace blackout::bgp
