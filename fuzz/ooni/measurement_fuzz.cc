// Fuzzes ooni::Decoder (Decode on an exact-size copy; DecodePadded with exactly kJsonPadding
// bytes after) and ReadJsonLines over the input. Contract checked: a decoded measurement has a
// two-letter country, a known test and application, and a verdict whose field is named;
// rejections are kDataLoss with a message; problems carry a line number within the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "blackout/ooni/decode.h"
#include "blackout/ooni/reader.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckMeasurement(const blackout::ooni::Measurement& m) {
  Check(m.probe_cc.size() == 2);
  Check(!m.test_name.empty());
  Check(!blackout::ooni::AppOfTest(m.test_name).empty());
  Check(m.app == blackout::ooni::AppOfTest(m.test_name));
  Check(!m.verdict.field.empty());
  Check(m.verdict.outcome == blackout::ooni::Outcome::kBlocked ||
        m.verdict.method == blackout::ooni::Method::kNone);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blackout::ooni;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Decoder decoder;
  Measurement m;
  {
    auto copy = std::make_unique<char[]>(size ? size : 1);
    std::memcpy(copy.get(), data, size);
    blackout::Status st = decoder.Decode(std::string_view(copy.get(), size), &m);
    if (st.ok()) {
      CheckMeasurement(m);
    } else {
      Check(st.code() == blackout::StatusCode::kDataLoss && !st.message().empty());
    }
  }
  {
    auto padded = std::make_unique<char[]>(size + kJsonPadding);
    std::memcpy(padded.get(), data, size);
    std::memset(padded.get() + size, ' ', kJsonPadding);
    blackout::Status st = decoder.DecodePadded(std::string_view(padded.get(), size), &m);
    if (st.ok()) CheckMeasurement(m);
  }
  ReadStats stats;
  size_t lines = 1;
  for (char c : text) lines += c == '\n';
  ReadJsonLines(
      text, "fuzz", [](const Measurement& x) { CheckMeasurement(x); }, &stats);
  for (const blackout::Status& p : stats.problems) {
    Check(p.where().line.has_value() && *p.where().line >= 1 && *p.where().line <= lines);
  }
  Check(stats.measurements + stats.malformed + stats.unknown_tests == stats.records);
  return 0;
}
