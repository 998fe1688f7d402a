// Text encodings of event fields shared by the backends (JSON arrays in one column). Internal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "blackout/store/store.h"
#include "blackout/store/types.h"

namespace blackout::store::internal {

// An alert's level as the stores keep it (0 normal, 1 warning, 2 critical: the alerts tables'
// numbers since the first schema) and back; other levels are not alerts and are kept as normal.
int64_t AlertLevelCode(Level level);
Level AlertLevelFromCode(int64_t code);

std::string EncodeStrings(const std::vector<std::string>& v);   // ["a","b"]
std::vector<std::string> DecodeStrings(std::string_view json);  // [] on malformed input
// [{"phase":"near-total-blackout","start":1,"end":2,"depth":0.05}, ...] (end/depth null if unset)
std::string EncodePhases(const std::vector<EventPhase>& phases);
std::vector<EventPhase> DecodePhases(std::string_view json);

// Checks keys and steps of a batch before any backend touches storage.
Status ValidateBatch(const WriteBatch& batch);

}  // namespace blackout::store::internal
