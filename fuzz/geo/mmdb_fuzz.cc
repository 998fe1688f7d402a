// Writes arbitrary bytes to a file and walks it as a MaxMind DB (libmaxminddb reads only files),
// then runs the region matcher on every place name found. Must never crash or hang; damage is
// reported as problems.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "blackout/geo/internal/iso_codes.h"
#include "blackout/geo/internal/mmdb_walk.h"

using namespace blackout;
using namespace blackout::geo::internal;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/blackout-geo-mmdb-fuzz-" + std::to_string(::getpid());
  static IsoCodes iso = [] {
    auto r = LoadIsoCodes("/usr/share/iso-codes/json");
    return r.ok() ? std::move(r).value() : IsoCodes();
  }();
  static RegionMatcher matcher(iso);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  for (Family fam : {Family::kIPv4, Family::kIPv6}) {
    auto walk = WalkMmdb(path, fam);
    if (!walk.ok()) continue;
    for (size_t i = 0; i < walk->ranges.size(); ++i) {
      const auto& r = walk->ranges[i];
      if (r.first > r.last || r.place >= walk->places.size()) std::abort();
      if (i && r.first <= walk->ranges[i - 1].last) std::abort();
    }
    for (const auto& p : walk->places) (void)matcher.Match(p.country, p.state);
  }
  return 0;
}
