#include "blackout/detect/expected.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "blackout/detect/baseline.h"
#include "blackout/detect/detector.h"
#include "blackout/store/types.h"

namespace blackout::detect {

std::vector<ExpectedSeries> ComputeExpected(std::span<const ExpectedInput> series,
                                            const DetectConfig& config, std::string_view entity) {
  std::vector<ExpectedSeries> out(series.size());
  // The detectable series set the grid: the finest step, from the earliest first bin to the end
  // of the latest (DetectInStore's grid with from = 0 and an open end).
  std::vector<std::pair<size_t, Signal>> judged;
  bool any = false;
  int64_t step = 0;
  UnixSeconds first = 0, last = 0;
  for (size_t k = 0; k < series.size(); ++k) {
    const ExpectedInput& s = series[k];
    auto sig = ParseSignal(s.signal);
    if (!sig || s.signal != SignalName(*sig) || s.values.empty() || s.step <= 0) continue;
    const UnixSeconds until = s.from + s.step * static_cast<int64_t>(s.values.size());
    if (!any) {
      step = s.step;
      first = s.from;
      last = until;
      any = true;
    }
    step = std::min(step, s.step);
    first = std::min(first, s.from);
    last = std::max(last, until);
    if (config.of(*sig).enabled) judged.emplace_back(k, *sig);
  }
  if (judged.empty()) return out;
  const UnixSeconds from = BinStart(first, step);
  if (last <= from) return out;
  const size_t bins = static_cast<size_t>((last - from + step - 1) / step);
  // The first fine bin at or after t.
  auto ceil_bin = [&](UnixSeconds t) { return from + (t - from + step - 1) / step * step; };
  // The whole entity goes through the detector, as DetectInStore runs it: a signal's baseline is
  // held while the entity's event is open, so its expected values depend on the other signals.
  EntitySeries es;
  es.entity = std::string(entity);
  es.from = from;
  es.step = step;
  for (auto [k, sig] : judged) {
    const ExpectedInput& s = series[k];
    auto& values = es.values[static_cast<int>(sig)];
    values.assign(bins, std::nullopt);
    const UnixSeconds s_until = s.from + s.step * static_cast<int64_t>(s.values.size());
    // The fine bins this series covers, as DetectInStore's Fill lays them out.
    UnixSeconds t = std::max(from, s.from);
    if (s.step != step) t = ceil_bin(t);
    for (const UnixSeconds end = std::min(last, s_until); t < end; t += step) {
      const double v = s.values[static_cast<size_t>((t - s.from) / s.step)];
      if (!store::IsMissing(v)) values[static_cast<size_t>((t - from) / step)] = v;
    }
  }
  VerdictTrace trace;
  DetectSeries(es, config, &trace);
  for (auto [k, sig] : judged) {
    const ExpectedInput& s = series[k];
    const std::vector<Verdict>& verdicts = trace[static_cast<size_t>(sig)];
    if (verdicts.size() != bins) continue;
    ExpectedSeries& e = out[k];
    const size_t n = s.values.size();
    e.expected.assign(n, NAN);
    e.lower.assign(n, NAN);
    e.level.assign(n, 0);
    // Series bin i covers [s.from + i * s.step, + s.step): the fine bins starting in it.
    for (size_t i = 0; i < n; ++i) {
      const UnixSeconds b0 = s.from + static_cast<int64_t>(i) * s.step;
      double sum_e = 0, sum_l = 0;
      int count = 0;
      uint8_t level = 0;
      for (UnixSeconds f = ceil_bin(std::max(from, b0)); f < b0 + s.step && f < last; f += step) {
        const Verdict& v = verdicts[static_cast<size_t>((f - from) / step)];
        level = std::max(level, static_cast<uint8_t>(v.level));
        if (!v.expected) continue;
        sum_e += *v.expected;
        sum_l += v.lower;
        ++count;
      }
      if (count == 1) {
        e.expected[i] = sum_e;
        e.lower[i] = sum_l;
      } else if (count > 1) {
        e.expected[i] = sum_e / count;
        e.lower[i] = sum_l / count;
      }
      e.level[i] = level;
    }
  }
  return out;
}

}  // namespace blackout::detect
