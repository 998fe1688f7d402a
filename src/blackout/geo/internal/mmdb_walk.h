// Walks a whole MaxMind DB search tree (libmaxminddb) and flattens it into sorted address ranges,
// each pointing at a distinct (country_code, state1) pair read from the data section. This is how
// the DB-IP city database becomes a region table. Recovering: an invalid node or an undecodable
// record is reported with the file and its byte offset and skipped; the rest is walked.
// Internal to the geo module. Thread-safety: pure functions (each call opens its own MMDB_s).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/base/status.h"
#include "blackout/geo/entity.h"

namespace blackout::geo::internal {

struct MmdbPlace {
  CountryCode country = 0;
  std::string state;  // DB-IP's "state1" (a region name), may be empty
};

struct MmdbRange {
  uint64_t first = 0;  // IPv4: 32-bit address; IPv6: upper 64 bits
  uint64_t last = 0;
  uint32_t place = 0;  // index into MmdbWalk::places
};

struct MmdbWalk {
  std::vector<MmdbPlace> places;  // distinct (country, state) pairs
  std::vector<MmdbRange> ranges;  // sorted, adjacent equal places merged
  std::vector<Status> problems;
  uint64_t build_epoch = 0;  // metadata build time (Unix seconds)
  std::string database_type;
  uint64_t data_records = 0;  // distinct data records decoded
};

// Opens `file` and walks the IPv4 (family kIPv4) or IPv6 space. Fails only if the file cannot be
// opened as an mmdb at all.
Result<MmdbWalk> WalkMmdb(const std::filesystem::path& file, Family family);

}  // namespace blackout::geo::internal
