// Reports on one entity over a time window, built only from what the store measured: a Markdown
// statement in the style analysts publish (start, end, duration, phases, depth per signal,
// technique, affected regions and ASNs, data attribution) and a PNG chart of the signals with the
// events shaded. Used by `blackout report` and the HTTP API (docs/report.md).
// Signals are drawn, and their depths stated, against the DETECTOR's expected value for each bin
// (detect::ComputeExpected, the values the dashboard draws and the detector judged); only a signal
// the detector does not judge falls back to its median outside the events, and the caption and
// the statement say which baseline each signal uses.
// Thread-safety: pure functions of their inputs (BuildReport reads the store, which is
// thread-safe).
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/time.h"
#include "blackout/curated/curated.h"
#include "blackout/detect/config.h"
#include "blackout/detect/expected.h"
#include "blackout/report/provenance.h"
#include "blackout/report/wording.h"
#include "blackout/store/store.h"
#include "blackout/store/types.h"

namespace blackout::report {

// Which regions of a country have measurements in the window: the report says "N of M regions
// measured" and never counts an unmeasured region as unaffected.
struct RegionCoverage {
  int total = 0;                      // the country's regions (0 = from iso-codes' ISO 3166-2)
  std::vector<std::string> measured;  // "region/KZ-ALA": regions with a value in the window
};

struct ReportOptions {
  int width = 1200;  // chart size in pixels; REQUIRES 320 <= width <= 8000
  int height = 600;  // REQUIRES 240 <= height <= 8000
  // Display name of an entity ("country/KZ" -> "Kazakhstan"); "" = unknown. When unset, countries
  // and regions are named from Debian's iso-codes (iso_dir) and other entities by their code.
  std::function<std::string(std::string_view entity)> name;
  std::filesystem::path iso_dir = "/usr/share/iso-codes/json";
  // The detection config whose expected values BuildReport computes (the service's: its
  // detect_config file, else the defaults). ComposeReport takes expected values ready-made.
  detect::DetectConfig detect = detect::DefaultConfig();
  // Where the numbers come from (the whole store's; the report keeps the sources of the entity's
  // signals). Unset: BuildReport reads it from the store (ReadProvenance); ComposeReport then
  // says that no source is recorded.
  std::optional<Provenance> provenance;
  // For a country: its regions' coverage in the window. Unset: BuildReport reads it from the
  // store; ComposeReport then leaves the regions unmentioned.
  std::optional<RegionCoverage> regions;
  // Others' records of outages of the entity in the window (curated lists, docs/annotations.md),
  // stated beside the measured events ("Access Now's #KeepItOn list records a shutdown in
  // Kazakhstan from 4 to 11 January 2022"). Unset: BuildReport reads them from the store;
  // ComposeReport then states none.
  std::optional<std::vector<curated::CuratedOutage>> curated;
};

// Which baseline a signal's percentages are of.
enum class Baseline {
  kDetector,  // the detector's expected value for each bin
  kMedian,    // the signal's median over the window outside the events (not judged by the detector)
};

// One signal as drawn: the combined series of the entity over the window, as % of its baseline.
struct SignalLine {
  std::string signal;
  store::Series series;  // raw values, the bins starting in [from, until)
  Baseline baseline = Baseline::kMedian;
  // kDetector: per bin (series.values.size() long) the detector's expected value and the lower
  // edge of its band (kMissing where the detector had no baseline yet). Empty for kMedian.
  std::vector<double> expected;
  std::vector<double> lower;
  double reference = 0;  // kMedian: median of the present bins outside the events (0 = none)
  // values / expected * 100 (kDetector) or values / reference * 100 (kMedian); kMissing where the
  // value or its baseline is missing or the baseline is 0.
  std::vector<double> percent;
};

struct Report {
  std::string entity;  // "country/KZ"
  std::string name;    // "Kazakhstan" (the code when no name is known)
  UnixSeconds from = 0;
  UnixSeconds until = 0;
  std::vector<store::Event> events;  // the entity's events overlapping [from, until), by start
  // Application blocking (OONI, docs/ooni.md): stated apart from the connectivity events, and
  // named in the technique of those it preceded ("app-blocking, then packets-filtered").
  std::vector<store::Event> app_events;
  std::vector<SignalLine> signals;
  Provenance provenance;  // the sources of this entity's signals; simulation marks everything
  bool measured = false;  // any signal has a value in [from, until)
  UnixSeconds first_measured = 0, last_measured = 0;  // the first and last bin with a value
  std::optional<RegionCoverage> regions;              // for a country: its regions' coverage
  // The measured span within the window ([from, until) when nothing was measured).
  UnixSeconds measured_from() const { return measured ? first_measured : from; }
  UnixSeconds measured_until() const { return measured ? last_measured : until; }
  std::string title;  // the chart's title ("SIMULATION: Internet connectivity in ...")
  // The download name without extension, with the window's UTC dates:
  // "blackout-report-country-KZ-20220103-20220114"; report.md links file_stem + ".png".
  std::string file_stem;
  std::string markdown;       // report.md
  std::string chart_caption;  // also the last paragraph of the markdown
  std::string png;            // chart.png bytes
};

// Reads the entity's combined series (source "") over its WHOLE stored history, runs
// detect::ComputeExpected on them with options.detect (so each bin's expected value is what the
// detector judged, whatever the window), keeps the bins in [from, until), reads the events
// overlapping [from, until) and renders the report. Errors: kInvalidArgument (bad entity, from >=
// until, bad chart size), kNotFound (the entity has neither series nor events in the store), store
// errors as returned by the store.
Result<Report> BuildReport(store::Store& store, std::string_view entity, UnixSeconds from,
                           UnixSeconds until, const ReportOptions& options = {});

// Renders a report from data already read, for callers without a store::Store (e.g. the HTTP
// server's data view): `series` are the entity's combined series over the window (any order),
// `events` its events overlapping [from, until). `expected`, when not empty, is parallel to
// `series`: expected[i] is what the detector judged for series[i]'s bins (e.g. a slice of
// detect::ComputeExpected over the entity's whole history, or the API's Series::expected/lower);
// a series without a judged entry is drawn as % of its median outside the events. Bins outside
// [from, until) are dropped. Errors: kInvalidArgument as BuildReport, and when a judged entry's
// length differs from its series'.
Result<Report> ComposeReport(std::string_view entity, UnixSeconds from, UnixSeconds until,
                             std::vector<store::Event> events, std::vector<store::Series> series,
                             const ReportOptions& options = {},
                             std::vector<detect::ExpectedSeries> expected = {});

// "blackout-report-TYPE-CODE-YYYYMMDD-YYYYMMDD" (UTC dates of from and until).
std::string FileStem(std::string_view entity, UnixSeconds from, UnixSeconds until);
// "20220103" (UTC date of t).
std::string CompactDate(UnixSeconds t);

// Writes DIR/<file_stem>.md and DIR/<file_stem>.png (creating DIR): the names the API's downloads
// have, and the PNG the Markdown links. Errors: kIoError.
Status WriteReport(const Report& report, const std::filesystem::path& dir);

// An event as JSON (the shape of the API's events, with ISO 8601 times added, and the shared
// wording: depthText, durationText, timeZone and the quotable headline; wording.h). `name` is the
// entity's display name; `as_of` the time an ongoing event's state is given at.
nlohmann::json EventJson(const store::Event& event, std::string_view name = "",
                         UnixSeconds as_of = 0);

// The PNG's tEXt chunks (PNG 1.2 section 4.2.3.1: Latin-1 keyword, NUL, text; here ASCII) the
// chart carries: Title, Source (the attribution), Software and, when simulated, Warning.
std::vector<std::pair<std::string, std::string>> ChartMetadata(const Report& report);
// Inserts tEXt chunks after a PNG's IHDR chunk. REQUIRES: `png` is a PNG.
std::string AddPngText(std::string png,
                       const std::vector<std::pair<std::string, std::string>>& text);
// The tEXt chunks of a PNG (keyword, text), in order; empty for malformed input.
std::vector<std::pair<std::string, std::string>> ReadPngText(std::string_view png);

// Draws the chart of `report` (signals, events, entity, window) as PNG bytes. Used by
// BuildReport; exposed for tests. Errors: kInternal when cairo fails.
Result<std::string> RenderChart(const Report& report, int width, int height);

}  // namespace blackout::report
