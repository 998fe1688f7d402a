// The service's side of the API: loads what the API serves from a store into its read model
// (server/data.h's MemoryData): entities (with display names and
// relations), the combined series of every signal, alerts and events. The API answers from this
// in-memory snapshot, so requests never wait on the store; the service reloads it after each
// ingest/detection pass. Thread-safety: LoadSnapshot may run while the API reads `data` (each part
// is replaced atomically).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/server/data.h"

namespace blackout::store {
class Store;
}
namespace blackout::detect {
struct DetectConfig;
}

namespace blackout::service {

using server::MemoryData;
using server::Series;

// Display name of an entity "TYPE/CODE" ("" if unknown).
using NameLookup = std::function<std::string(const std::string& entity)>;
// The entities an entity belongs to ("asn/9198" -> {"country/KZ"}); empty if none are known.
using ParentLookup = std::function<std::vector<std::string>(const std::string& entity)>;

// Extra attributes of an entity "TYPE/CODE" for the API's `attrs` (IODA's, e.g. {"ip_count":
// "5120"}); empty if none are known.
using AttrsLookup =
    std::function<std::map<std::string, std::string>(const std::string& entity)>;

struct SnapshotStats {
  size_t entities = 0, series = 0, alerts = 0, events = 0;
};

// Entities are related to their parents (from `parents` when given, else region/CC-X ->
// country/CC) and to the events they carry (both ways). With `detect_config`, every series also
// gets the detector's expected values (AttachExpected); without it, none.
Result<SnapshotStats> LoadSnapshot(store::Store& store, const NameLookup& names, MemoryData* data,
                                   const ParentLookup& parents = {},
                                   const detect::DetectConfig* detect_config = nullptr,
                                   const AttrsLookup& attrs = {});

// Fills Series::expected, lower and level of one entity's series with what the detector judged,
// exactly as the service's detection (detect::DetectInStore over everything stored) computes it:
// the entity's detectable signals (bgp, ping-slash24, merit-nt, traffic) are laid on the entity's
// finest step from the start of its data (a coarser value holds for every fine bin it covers) and
// each enabled signal runs through a detect::SignalDetector with its config from the first bin,
// so every bin's values equal the verdict the detector gave it, whatever window is served later.
// A series on a coarser step than the grid gets, per bin, the mean expected and lower of the fine
// bins it covers and their highest level. Series of other datasources, of a disabled signal, or
// with no values are left without. Returns false (nothing changed) when this build has no
// detector module. REQUIRES: all series of one entity; a ValidateConfig-valid config.
bool AttachExpected(const std::vector<Series*>& entity_series, const detect::DetectConfig& config);

}  // namespace blackout::service
