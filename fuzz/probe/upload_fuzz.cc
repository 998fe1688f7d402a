// The block list the observatory parses from vantage points (docs/probe.md, "Reporting to the
// observatory"; their rounds are the record format, records_fuzz.cc). Never crashes; an accepted
// list is sorted and not overlapping, and formats and re-parses to the same runs.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "blackout/probe/records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blackout::probe;
  auto list = ParseBlockList(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!list.ok()) {
    if (list.status().message().empty()) std::abort();
    return 0;
  }
  uint64_t next = 0;
  for (const BlockRun& r : list->runs) {
    if (r.count == 0 || r.first < next || (r.first & 255) != 0) std::abort();
    next = uint64_t{r.first} + (uint64_t{r.count} << 8);
    if (next > (uint64_t{1} << 32)) std::abort();
  }
  auto again = ParseBlockList(FormatBlockList(*list), "again");
  if (!again.ok() || again->vantage != list->vantage || again->runs.size() != list->runs.size())
    std::abort();
  for (size_t i = 0; i < list->runs.size(); ++i) {
    if (again->runs[i].first != list->runs[i].first ||
        again->runs[i].count != list->runs[i].count ||
        again->runs[i].entities != list->runs[i].entities)
      std::abort();
  }
  return 0;
}
