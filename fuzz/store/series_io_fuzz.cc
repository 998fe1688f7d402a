// ParseSeriesFile on any bytes. Input: 1 option byte, then the file.
//   bits 0-1: format (0 ioda-csv, 1 ioda-json, 2 and 3 csv)
//   bit 2:    ImportOptions::entity = "country/IQ" (ioda-csv always has it)
//   bit 3:    ImportOptions::step = 300 (else 0: from the file)
//   bit 4:    ImportOptions::source = "fuzz"
// Checks: never crashes, hangs or allocates without bound (ASan, UBSan, libFuzzer limits); every
// problem carries a message and a file name; and the round trips of `export` then `import`: each
// parsed series, made dense (gaps as missing) and written with WriteSeriesCsv (resp.
// WriteSeriesJson), parses back as csv (resp. ioda-json) to exactly the same bins and values.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/store/series_io.h"

namespace {

using blackout::UnixSeconds;
using namespace blackout::store;

// A series of a batch as bin -> value (the last write of a bin wins, as in the store).
using Bins = std::map<UnixSeconds, double>;

Bins BinsOf(const WriteBatch::SeriesWrites& w) {
  Bins b;
  for (const Point& p : w.points) b[p.time] = p.value;
  return b;
}

bool Same(double a, double b) { return IsMissing(a) ? IsMissing(b) : (!IsMissing(b) && a == b); }

// The dense form `export` writes; false when it would be too large to be worth writing here.
bool Dense(const WriteBatch::SeriesWrites& w, const Bins& bins, Series* s) {
  if (bins.empty()) return false;
  UnixSeconds first = bins.begin()->first, span = 0, end = 0;
  if (__builtin_sub_overflow(bins.rbegin()->first, first, &span) || span / w.step > 20'000 ||
      __builtin_add_overflow(bins.rbegin()->first, w.step, &end)) {
    return false;
  }
  s->key = w.key;
  s->step = w.step;
  s->from = first;
  s->values.assign(static_cast<size_t>(span / w.step + 1), kMissing);
  for (const auto& [t, v] : bins) {
    if ((t - first) % w.step != 0) std::abort();  // points are stored on the series' grid
    s->values[static_cast<size_t>((t - first) / w.step)] = v;
  }
  return true;
}

void RoundTrip(const Series& s, SeriesFormat format) {
  std::ostringstream out;
  if (format == SeriesFormat::kCsv) {
    WriteSeriesCsv({s}, out);
  } else {
    WriteSeriesJson({s}, out);
  }
  ImportOptions opt;
  opt.step = s.step;
  auto again = ParseSeriesFile(out.str(), format, opt, "again");
  if (!again.ok() || !again->problems.empty() || again->batch.series().size() != 1) std::abort();
  const auto& w = again->batch.series()[0];
  if (!(w.key == s.key) || w.step != s.step) std::abort();
  Bins b = BinsOf(w);
  if (b.size() != s.values.size()) std::abort();
  size_t i = 0;
  for (const auto& [t, v] : b) {
    if (t != s.from + static_cast<int64_t>(i) * s.step || !Same(v, s.values[i])) std::abort();
    ++i;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t o = data[0];
  SeriesFormat format = (o & 3) == 0   ? SeriesFormat::kIodaCsv
                        : (o & 3) == 1 ? SeriesFormat::kIodaJson
                                       : SeriesFormat::kCsv;
  ImportOptions opt;
  if ((o & 4) || format == SeriesFormat::kIodaCsv) opt.entity = "country/IQ";
  if (o & 8) opt.step = 300;
  if (o & 16) opt.source = "fuzz";
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto r = ParseSeriesFile(text, format, opt, "fuzz");
  if (!r.ok()) {
    if (r.status().message().empty()) std::abort();
    return 0;
  }
  for (const auto& p : r->problems) {
    if (p.ok() || p.message().empty()) std::abort();
    if (p.where().file != "fuzz") std::abort();
  }
  for (const auto& w : r->batch.series()) {
    if (w.step <= 0) std::abort();
    Bins bins = BinsOf(w);
    Series dense;
    if (!Dense(w, bins, &dense)) continue;
    RoundTrip(dense, SeriesFormat::kCsv);
    RoundTrip(dense, SeriesFormat::kIodaJson);
  }
  return 0;
}
