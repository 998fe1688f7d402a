// libFuzzer target: MrtReader over an arbitrary byte stream (plain or compressed, chosen by magic
// like any input), in the mode given by MRT_FUZZ_MODE: 0 = strict, 1 = recovering. Iteration must
// end (nullptr or, in strict mode, an error) without crashing, hanging or reading out of bounds;
// in recovering mode Next() must never return an error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "blackout/base/input.h"
#include "blackout/mrt/reader.h"
#include "consume.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blackout;
  mrt::ReaderOptions options;
  options.mode = MRT_FUZZ_MODE == 0 ? mrt::ReadMode::kStrict : mrt::ReadMode::kRecover;
  uint64_t problems = 0;
  options.on_problem = [&problems](const mrt::Problem& p) { problems += p.ToString().size(); };
  mrt::MrtReader reader(
      InputStream::FromBytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz"),
      options);
  uint64_t h = 0;
  for (int i = 0; i < 1000000; ++i) {
    auto r = reader.Next();
    if (!r.ok()) {
      if (options.mode == mrt::ReadMode::kRecover) abort();  // recovering mode never fails
      // The error is sticky.
      if (reader.Next().ok()) abort();
      break;
    }
    if (*r == nullptr) break;
    h += fuzz::Consume(**r);
  }
  if (reader.stats().bytes > (64u << 20) + size) abort();
  (void)h;
  return 0;
}
