// Feeds arbitrary bytes to the range CSV parser (both families, both value kinds) and checks its
// promises: every kept row is ordered first <= last, every problem names the file and a line.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "blackout/geo/internal/range_csv.h"
#include "blackout/geo/internal/range_table.h"

using namespace blackout;
using namespace blackout::geo::internal;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (Family fam : {Family::kIPv4, Family::kIPv6}) {
    for (RangeValueKind kind : {RangeValueKind::kAsn, RangeValueKind::kCountry}) {
      RangeCsv csv = ParseRangeCsv(text, "fuzz.csv", fam, kind);
      for (const auto& r : csv.rows) {
        if (r.first > r.last) std::abort();
        if (fam == Family::kIPv4 && r.last > 0xffffffffu) std::abort();
      }
      if (csv.problems.size() > kMaxProblems + 1) std::abort();
      for (const auto& p : csv.problems) {
        if (p.where().file != "fuzz.csv") std::abort();
      }
      RangeTable t;
      (void)t.Build(csv.rows, fam == Family::kIPv4 ? 32 : 64);
      for (size_t i = 0; i < t.size(); ++i) {
        if (t.first(i) > t.last(i) || (i && t.first(i) <= t.last(i - 1))) std::abort();
        if (t.Find(t.first(i)) != t.value(i)) std::abort();
        (void)t.Majority(t.first(i) & ~uint64_t{0xff}, t.first(i) | 0xff,
                         t.Seek(t.first(i) & ~uint64_t{0xff}));
      }
    }
  }
  return 0;
}
