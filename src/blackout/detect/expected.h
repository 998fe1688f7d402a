// The detector's expected value, band and verdict for every bin of one entity's stored series,
// as the service's detection (DetectInStore over everything stored, from the entity's first bin)
// judged them. Shared by the API's signals route (server/snapshot.cc, AttachExpected) and the
// report (report/report.cc), so that the dashboard, the report and the detector agree on what
// "expected" was. docs/api.md ("Expected values") and docs/report.md describe the results.
// Thread-safety: a pure function of its inputs.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "blackout/base/time.h"
#include "blackout/detect/config.h"
#include "blackout/store/types.h"

namespace blackout::detect {

// One stored series of the entity. `signal` is the detector's signal name ("bgp", "probe",
// "darknet", "traffic"); series of any other name (e.g. "bgp-25") are accepted and get nothing.
// values[i] is the bin [from + i * step, + step); store::kMissing (NaN) = missing.
struct ExpectedInput {
  std::string_view signal;
  UnixSeconds from = 0;
  int64_t step = 0;
  std::span<const double> values;
};

// The detector's view of a series' bins (store/types.h: expected, band edge and level per bin).
using store::ExpectedSeries;

// Runs the detector over ALL series of one entity, exactly as DetectInStore lays them out: the
// detectable series (of a known signal, with values and step > 0, enabled or not) set the grid,
// the finest of their steps from the earliest of their first bins (aligned to that step) to the
// end of the latest; a coarser series' value holds for every fine bin it covers; each enabled
// signal runs through its own SignalDetector from the grid's first bin. A series on a coarser
// step than the grid gets, per bin, the mean expected and lower of the fine bins starting in it
// that have a baseline, and the highest level among them.
// Returns one ExpectedSeries per input, in input order.
// REQUIRES: all series of one entity, at most one per signal; a ValidateConfig-valid config.
// `entity` selects the operator's new normals (config.new_normals) that apply.
std::vector<ExpectedSeries> ComputeExpected(std::span<const ExpectedInput> series,
                                            const DetectConfig& config,
                                            std::string_view entity = "");

}  // namespace blackout::detect
