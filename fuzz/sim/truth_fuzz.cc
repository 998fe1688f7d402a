// ParseTruth on any text: never crashes; an accepted truth has, per event, at least one valid
// entity and start < end. An accepted truth is then scored against no detections over a span of
// at most 40 days (ScoreDetections, ScoreJson, ScoreTable), which must not crash either: every
// truth event counts as missed.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "blackout/sim/score.h"
#include "blackout/store/types.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blackout::sim;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = ParseTruth(text, "truth.json");
  if (!r.ok()) {
    if (r.status().message().empty()) std::abort();
    return 0;
  }
  blackout::UnixSeconds lo = 0, hi = 0;
  size_t pairs = 0;
  for (const TruthRecord& e : r->events) {
    if (e.entities.empty() || !(e.start < e.end)) std::abort();
    for (const auto& ent : e.entities) {
      if (!blackout::store::ValidateEntity(ent).ok()) std::abort();
    }
    if (pairs == 0 || e.start < lo) lo = e.start;
    if (pairs == 0 || e.end > hi) hi = e.end;
    pairs += e.entities.size();
  }
  // Score only what is cheap to score: a bounded span and a bounded number of pairs.
  if (pairs == 0 || pairs > 64 || lo < 0 || hi > (int64_t{1} << 40) || hi - lo > 40 * 86400) {
    return 0;
  }
  ScoreOptions opt;
  opt.from = lo;
  opt.until = hi;
  Score score = ScoreDetections(*r, {}, opt);
  if (score.events.size() > pairs) std::abort();
  for (const auto& e : score.events) {
    if (e.detected) std::abort();
  }
  (void)ScoreJson(score);
  (void)ScoreTable(score);
  return 0;
}
