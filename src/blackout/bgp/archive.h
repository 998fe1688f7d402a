// Where public route-collector archives keep their MRT files: RIPE RIS and RouteViews URL layouts,
// file naming, and the archive sources `blackout run` follows ("ris:rrc00", "routeviews:NAME", URL
// templates; docs/archives.md describes all three). Pure functions: no I/O. Thread-safety: value
// types.
#pragma once

#include <cstdint>
#include <optional>
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

// An archive source as `sources.bgp` and `fetch bgp --source` name it (docs/archives.md):
//   ris:rrc00 [base=URL]                  RIPE RIS collector (base: a mirror's root)
//   routeviews:route-views2 [base=URL]    RouteViews collector
//   https://HOST/PATH/{YYYY}.{MM}/updates.{YYYYMMDD}.{HHMM}.gz [rib=TEMPLATE] [period=S]
//       [rib_period=S] [collector=NAME]   any layout; placeholders {YYYY} {MM} {DD} {HH} {mm}
//                                         {YYYYMMDD} {HHMM}
// and, for each form, `backfill_days=N`. Options follow the name, separated by spaces.
struct ArchiveSource {
  std::string spec;         // as written
  std::string collector;    // ledger and cache name ("rrc00", "route-views2", collector=)
  std::string updates_url;  // URL template of the update files
  std::string rib_url;      // URL template of the RIB dumps; "" = the source has none
  int64_t updates_period = 300;
  int64_t rib_period = 0;            // 0 when rib_url is ""
  std::optional<Collector> archive;  // set for ris:/routeviews: (local paths as ArchivePath)
  int backfill_days = -1;            // -1 = the caller's default
};

// Whether `spec` names an archive source rather than a local file or folder: it starts with
// "ris:", "routeviews:", "http://" or "https://".
bool IsArchiveSpec(std::string_view spec);

// Parses a source (grammar above). A template without rib= whose file name starts "updates." gets
// its RIB template by the archives' naming: ".../UPDATES/updates." -> ".../RIBS/rib." every 2 h
// (RouteViews, updates every 15 min), else "updates." -> "bview." every 8 h (RIS, 5 min).
// kInvalidArgument names what is wrong.
Result<ArchiveSource> ParseArchiveSource(std::string_view spec);

// The template with its placeholders replaced by `time`'s UTC fields.
std::string ExpandTemplate(std::string_view url_template, UnixSeconds time);

// Every file of the source in [from, until), as ListArchiveFiles. `relative` is the path below a
// local folder: ArchivePath for ris:/routeviews:, "COLLECTOR/YYYY.MM/NAME" for templates (so that
// DescribeInputs derives the same collector and ledger key from it).
std::vector<ArchiveFile> ListSourceFiles(const ArchiveSource& source, UnixSeconds from,
                                         UnixSeconds until, bool include_ribs,
                                         bool include_updates);

}  // namespace blackout::bgp
