// Names the bgpdump and JSON formats share. Internal to the mrt module.
#pragma once

#include "blackout/mrt/element.h"

namespace blackout::mrt::internal {

// The first field of a BGP4MP line ("BGP4MP", "BGP4MP_ET_LOCAL_AP", ...).
inline const char* Bgp4mpName(const Element& e) {
  const bool et = e.source == ElementSource::kBgp4mpEt;
  if (e.local) {
    if (et) return e.has_path_id ? "BGP4MP_ET_LOCAL_AP" : "BGP4MP_ET_LOCAL";
    return e.has_path_id ? "BGP4MP_LOCAL_AP" : "BGP4MP_LOCAL";
  }
  if (et) return e.has_path_id ? "BGP4MP_ET_AP" : "BGP4MP_ET";
  return e.has_path_id ? "BGP4MP_AP" : "BGP4MP";
}

}  // namespace blackout::mrt::internal
