// Loads what the API serves from a store into a MemoryData: entities (with display names and
// relations), the combined series of every signal, alerts and events. The API answers from this
// in-memory snapshot, so requests never wait on the store; the service reloads it after each
// ingest/detection pass. Thread-safety: LoadSnapshot may run while the API reads `data` (each part
// is replaced atomically).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/server/data.h"

namespace blackout::store {
class Store;
}

namespace blackout::server {

// Display name of an entity "TYPE/CODE" ("" if unknown).
using NameLookup = std::function<std::string(const std::string& entity)>;
// The entities an entity belongs to ("asn/9198" -> {"country/KZ"}); empty if none are known.
using ParentLookup = std::function<std::vector<std::string>(const std::string& entity)>;

// IODA's datasource name for a store signal: probe -> ping-slash24, darknet -> merit-nt; others
// unchanged. And back.
std::string DatasourceForSignal(const std::string& signal);
std::string SignalForDatasource(const std::string& datasource);

struct SnapshotStats {
  size_t entities = 0, series = 0, alerts = 0, events = 0;
};

// Entities are related to their parents (from `parents` when given, else region/CC-X ->
// country/CC) and to the events they carry (both ways).
Result<SnapshotStats> LoadSnapshot(store::Store& store, const NameLookup& names, MemoryData* data,
                                   const ParentLookup& parents = {});

}  // namespace blackout::server
