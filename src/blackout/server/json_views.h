// Private to server/: the read model (data.h) as the API's JSON and back in the store's types for
// the report library. Shared by the event, report and feed routes. Thread-safety: pure functions
// (EntityRef and EventJson read the DataView, which allows concurrent readers).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "blackout/base/time.h"
#include "blackout/server/data.h"
#include "blackout/store/types.h"

namespace blackout::server {

nlohmann::json EntityJson(const Entity& e);
// The entity as JSON; an unknown one as its code for a name and no attributes.
nlohmann::json EntityRef(const DataView& data, const std::string& type, const std::string& code);
// `v`, or null when not finite.
nlohmann::json NumberOrNull(double v);
// "near-total-blackout, partial-recovery"
std::string PhaseList(const Event& e);
nlohmann::json PhasesJson(const Event& e);

store::Series ToStoreSeries(const Series& s);

// One event as /api/v2/outages/events answers it (and the report route lists it); an ongoing
// event's duration runs to `until`.
nlohmann::json EventJson(const DataView& data, const Event& e, UnixSeconds until);

}  // namespace blackout::server
