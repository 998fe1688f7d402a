#include "blackout/detect/baseline.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace blackout::detect {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

// GCC's straight-line vectoriser would load the freshly stored values below 16 bytes at a time,
// which stalls store forwarding and costs more than the comparisons; keep them scalar there.
#if defined(__GNUC__) && !defined(__clang__)
#define BLACKOUT_SCALAR_LOADS __attribute__((optimize("no-tree-slp-vectorize")))
#else
#define BLACKOUT_SCALAR_LOADS
#endif

// The median of vals[0, m), reordering them (vals must have room for 8). Up to 8 values (the usual
// similar_days is 6) go through a branch-free sorting network in registers, padded with
// +infinity: the comparisons of a sort of noisy values are unpredictable branches, which cost
// more than the whole network.
// REQUIRES: 0 < m <= 64.
BLACKOUT_SCALAR_LOADS double MedianOfFew(float* vals, int m) {
  auto cas = [](float& a, float& b) {
    float lo = std::min(a, b), hi = std::max(a, b);
    a = lo;
    b = hi;
  };
  if (m == 6) {  // the default similar_days: an optimal 12-comparator network
    float x0 = vals[0], x1 = vals[1], x2 = vals[2], x3 = vals[3], x4 = vals[4], x5 = vals[5];
    cas(x0, x5), cas(x1, x3), cas(x2, x4);
    cas(x1, x2), cas(x3, x4);
    cas(x0, x3), cas(x2, x5);
    cas(x0, x1), cas(x2, x3), cas(x4, x5);
    cas(x1, x2), cas(x3, x4);
    return 0.5 * (double(x2) + x3);
  }
  if (m <= 8) {
    constexpr float kInf = std::numeric_limits<float>::infinity();
    float x0 = vals[0], x1 = m > 1 ? vals[1] : kInf, x2 = m > 2 ? vals[2] : kInf,
          x3 = m > 3 ? vals[3] : kInf, x4 = m > 4 ? vals[4] : kInf, x5 = m > 5 ? vals[5] : kInf,
          x6 = m > 6 ? vals[6] : kInf, x7 = m > 7 ? vals[7] : kInf;
    // Knuth's 19-comparator network for 8 inputs.
    cas(x0, x2), cas(x1, x3), cas(x4, x6), cas(x5, x7);
    cas(x0, x4), cas(x1, x5), cas(x2, x6), cas(x3, x7);
    cas(x0, x1), cas(x2, x3), cas(x4, x5), cas(x6, x7);
    cas(x2, x4), cas(x3, x5);
    cas(x1, x4), cas(x3, x6);
    cas(x1, x2), cas(x3, x4), cas(x5, x6);
    switch (m) {
      case 1:
        return x0;
      case 2:
        return 0.5 * (double(x0) + x1);
      case 3:
        return x1;
      case 4:
        return 0.5 * (double(x1) + x2);
      case 5:
        return x2;
      case 6:
        return 0.5 * (double(x2) + x3);
      case 7:
        return x3;
      default:
        return 0.5 * (double(x3) + x4);
    }
  }
  for (int i = 1; i < m; ++i) {
    float x = vals[i];
    int j = i;
    for (; j > 0 && vals[j - 1] > x; --j) vals[j] = vals[j - 1];
    vals[j] = x;
  }
  return m % 2 ? vals[m / 2] : 0.5 * (double(vals[m / 2 - 1]) + vals[m / 2]);
}

class IodaMedianBaseline final : public Baseline {
 public:
  IodaMedianBaseline(size_t window, size_t min_history)
      : median_(window), min_history_(std::max<size_t>(1, min_history)) {}
  double Expected(UnixSeconds) override {
    if (median_.valid() < min_history_) return kNoValue;
    return median_.Median();
  }
  void Append(UnixSeconds, double value) override { median_.PushValue(static_cast<float>(value)); }

 private:
  SlidingMedian median_;
  size_t min_history_;
};

// Cloudflare Radar's idea: among the last `lookback` days, take the `k` whose 24 h profile before
// the current time is closest (mean absolute difference) to the last 24 h, and predict the median
// of their values at the same time of day. The choice of days is revisited at each UTC midnight and
// whenever another past day becomes available, so it costs O(lookback * bins_per_day) once a day.
class SeasonalBaseline final : public Baseline {
 public:
  SeasonalBaseline(int64_t step, int64_t bins_per_day, int lookback, int k, int64_t min_history)
      : step_(step),
        bpd_(bins_per_day),
        lookback_(lookback),
        k_(k),
        min_history_(min_history),
        ring_(static_cast<size_t>(bins_per_day * (lookback + 2)), kNaN),
        first_day_(static_cast<size_t>(bins_per_day)) {}

  double Expected(UnixSeconds t) override {
    if (n_ == 0) return kNoValue;
    // Position of bin t; the caller may hold back the last few bins (see SignalDetector), never
    // a whole day.
    // Position, day count and time of day, kept incrementally (divisions cost on this path).
    if (t != cached_t_ + step_ || cached_t_ == kNoTime) {
      cached_p_ = (t - first_) / step_;
      cached_day_ = cached_p_ / bpd_;
      cached_in_day_ = cached_p_ - cached_day_ * bpd_;
      cached_tod_ = t % 86400;
      if (cached_tod_ < 0) cached_tod_ += 86400;
    } else {
      ++cached_p_;
      if (++cached_in_day_ == bpd_) cached_in_day_ = 0, ++cached_day_;
      cached_tod_ += step_;
      if (cached_tod_ == 86400) cached_tod_ = 0;
    }
    cached_t_ = t;
    const int64_t p = cached_p_;
    int64_t available = std::min<int64_t>(lookback_, cached_day_);
    settled_ = false;
    if (valid_ < min_history_) return kNoValue;
    if (available == 0) return FirstDayMedian();
    settled_ = true;
    // Reselect at each UTC midnight, and while fewer than k days could be chosen whenever another
    // day becomes available.
    if (selected_for_ < 0 || cached_tod_ == 0 ||
        (available != selected_for_ && static_cast<int64_t>(days_.size()) < k_)) {
      Select(available);
    }
    float vals[64];
    int m = 0;
    for (int d : days_) {
      int64_t q = p - d * bpd_;
      if (q >= n_ || q < n_ - static_cast<int64_t>(ring_.size())) continue;
      float v = At(q);
      if (!std::isnan(v) && m < 64) vals[m++] = v;
    }
    if (m == 0) return kNoValue;
    return MedianOfFew(vals, m);
  }

  bool settled() const override { return settled_; }

  // Between two UTC midnights the chosen days do not change, and the bins they point at are at
  // least a day old, so already final in the history: a stretch of the day can be predicted at
  // once, sweeping each chosen day's bins in order.
  size_t Predict(UnixSeconds t, size_t max, double* out) override {
    out[0] = Expected(t);
    if (max == 1 || !settled_ || static_cast<int64_t>(days_.size()) != k_ || k_ > 64 || bpd_ <= 2) {
      return 1;
    }
    const int64_t p0 = cached_p_;
    // The later bins must stop: before the next UTC midnight (a new choice of days); while their
    // chosen bins are already in the history (p - bpd < n_); while the history surely keeps
    // min_history_ valid values (each append removes at most one).
    int64_t run = static_cast<int64_t>(max) - 1;
    run = std::min(run, (86400 - cached_tod_) / step_ - 1);
    run = std::min(run, n_ - 1 + bpd_ - p0);
    run = std::min(run, valid_ - min_history_);
    if (run <= 0) return 1;
    const int64_t r = static_cast<int64_t>(ring_.size());
    int64_t slot[64];
    const int nd = static_cast<int>(days_.size());
    for (int i = 0; i < nd; ++i) {
      slot[i] = static_cast<int64_t>(Idx(p0 + 1 - days_[static_cast<size_t>(i)] * bpd_));
    }
    for (int64_t j = 1; j <= run; ++j) {
      float vals[64];
      int m = 0;
      for (int i = 0; i < nd; ++i) {
        const float v = ring_[static_cast<size_t>(slot[i])];
        vals[m] = v;
        m += !std::isnan(v);
        if (++slot[i] == r) slot[i] = 0;
      }
      out[j] = m == 0 ? kNoValue : MedianOfFew(vals, m);
      // The bookkeeping Expected() would have done for this bin.
      ++cached_p_;
      if (++cached_in_day_ == bpd_) cached_in_day_ = 0, ++cached_day_;
      cached_tod_ += step_;
    }
    cached_t_ = t + run * step_;
    return static_cast<size_t>(run + 1);
  }

  void Append(UnixSeconds t, double value) override {
    if (n_ == 0) first_ = t;
    float v = static_cast<float>(value);
    size_t pos = static_cast<size_t>(head_);
    if (n_ >= static_cast<int64_t>(ring_.size()) && !std::isnan(ring_[pos])) --valid_;
    ring_[pos] = v;
    if (!std::isnan(v)) ++valid_;
    if (n_ < 2 * bpd_) first_day_.PushValue(v);
    ++n_;
    if (++head_ == static_cast<int64_t>(ring_.size())) head_ = 0;
  }

 private:
  // Before a whole day of history exists there is no "same time yesterday": the median of what
  // there is stands in (first_day_ is fed only during the first two days).
  double FirstDayMedian() const {
    if (first_day_.valid() == 0) return kNoValue;
    return first_day_.Median();
  }

  // Ring slot of history position i. REQUIRES: n_ - ring_.size() <= i < n_ + ring_.size()
  size_t Idx(int64_t i) const {
    int64_t k = head_ + (i - n_);
    const int64_t r = static_cast<int64_t>(ring_.size());
    if (k < 0) {
      k += r;
    } else if (k >= r) {
      k -= r;
    }
    return static_cast<size_t>(k);
  }
  float At(int64_t i) const { return ring_[Idx(i)]; }

  void Select(int64_t available) {
    selected_for_ = available;
    std::vector<Cand> cands;
    cands.reserve(static_cast<size_t>(available));
    const int64_t stride = std::max<int64_t>(1, bpd_ / 96);
    const int64_t points = (bpd_ + stride - 1) / stride;
    const int64_t r = static_cast<int64_t>(ring_.size());
    const int64_t oldest = std::max<int64_t>(0, n_ - r);  // oldest position still in the ring
    // Profiles are compared at 15-minute resolution at most: plenty to tell days apart. The
    // history is sampled once at that resolution, newest first, as far back as the ring and the
    // candidate days reach: hist[m] is position n_ - 1 - m * stride. With whole samples per day,
    // the bin j = 1 + i * stride before "now" minus d days is then hist[d * points + i].
    if (bpd_ % stride != 0) return SelectUnaligned(available, stride, points);
    const int64_t samples =
        std::min<int64_t>((available + 1) * points, (n_ - 1 - oldest) / stride + 1);
    // A local buffer, not a member: the streaming service keeps 100k baselines and this one is
    // needed once a day (one allocation a day is nothing; 22 KB per series kept would be 2 GB).
    std::vector<double> hist(static_cast<size_t>(std::max<int64_t>(0, samples)));
    for (int64_t m = 0, k = static_cast<int64_t>(Idx(n_ - 1)); m < samples; ++m) {
      hist[static_cast<size_t>(m)] = ring_[static_cast<size_t>(k)];
      k -= stride;
      if (k < 0) k += r;
    }
    const double* now = hist.data();
    for (int d = 1; d <= available; ++d) {
      // Compare the 24 h before now with the 24 h before the same time d days ago, as far back as
      // the ring reaches. Four partial sums keep the additions from waiting on each other.
      const int64_t n = std::min<int64_t>(points, samples - d * points);
      const double* then = hist.data() + d * points;
      int64_t count = 0;
      auto term = [&](int64_t i) {
        const double x = now[i], y = then[i];
        const bool both = !std::isnan(x) && !std::isnan(y);
        count += both;
        return both ? std::fabs(x - y) : 0.0;
      };
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;  // sample i goes to s[i % 4]
      int64_t i = 0;
      for (; i + 4 <= n; i += 4) {
        s0 += term(i);
        s1 += term(i + 1);
        s2 += term(i + 2);
        s3 += term(i + 3);
      }
      if (i < n) s0 += term(i++);
      if (i < n) s1 += term(i++);
      if (i < n) s2 += term(i++);
      // Days that cannot be compared over half a day rank last, nearest first.
      double dist = count >= points / 2 ? ((s0 + s1) + (s2 + s3)) / double(count)
                                        : std::numeric_limits<double>::max();
      cands.push_back({dist, d});
    }
    Choose(cands);
  }

  struct Cand {
    double dist;
    int day;
  };

  // The k nearest days, ties to the more recent.
  void Choose(std::vector<Cand>& cands) {
    std::stable_sort(cands.begin(), cands.end(),
                     [](const Cand& a, const Cand& b) { return a.dist < b.dist; });
    days_.clear();
    for (size_t i = 0; i < cands.size() && i < static_cast<size_t>(k_); ++i) {
      days_.push_back(cands[i].day);
    }
  }

  // Select() when a day is not a whole number of samples (steps such that bins_per_day / 96 does
  // not divide it): the same comparison, reading the ring directly.
  void SelectUnaligned(int64_t available, int64_t stride, int64_t points) {
    std::vector<Cand> cands;
    cands.reserve(static_cast<size_t>(available));
    const int64_t r = static_cast<int64_t>(ring_.size());
    const int64_t oldest = std::max<int64_t>(0, n_ - r);
    std::vector<float> profile;
    profile.reserve(static_cast<size_t>(points));
    for (int64_t j = 1; j <= bpd_; j += stride) profile.push_back(At(n_ - j));
    for (int d = 1; d <= available; ++d) {
      double sum[4] = {0, 0, 0, 0};
      int64_t count = 0;
      const int64_t last_j = std::min<int64_t>(bpd_, n_ - d * bpd_ - oldest);
      int64_t k = last_j >= 1 ? static_cast<int64_t>(Idx(n_ - d * bpd_ - 1)) : 0;
      for (int64_t j = 1, i = 0; j <= last_j; j += stride, ++i) {
        const float x = profile[static_cast<size_t>(i)], y = ring_[static_cast<size_t>(k)];
        const bool both = !std::isnan(x) && !std::isnan(y);
        sum[i & 3] += both ? std::fabs(double(x) - y) : 0.0;
        count += both;
        k -= stride;
        if (k < 0) k += r;
      }
      double dist = count >= points / 2 ? ((sum[0] + sum[1]) + (sum[2] + sum[3])) / double(count)
                                        : std::numeric_limits<double>::max();
      cands.push_back({dist, d});
    }
    Choose(cands);
  }

  static constexpr UnixSeconds kNoTime = std::numeric_limits<UnixSeconds>::min();
  int64_t step_;
  UnixSeconds first_ = 0;  // time of the first appended bin
  UnixSeconds cached_t_ = kNoTime;
  int64_t cached_p_ = 0, cached_day_ = 0, cached_in_day_ = 0, cached_tod_ = 0;
  int64_t bpd_;
  int lookback_;
  int k_;
  int64_t min_history_;
  std::vector<float> ring_;  // the last (lookback + 2) days of history; NaN = missing
  int64_t n_ = 0;            // bins appended so far
  int64_t head_ = 0;         // n_ % ring_.size(): the slot of the next append
  SlidingMedian first_day_;
  int64_t valid_ = 0;  // non-missing bins in the ring
  int64_t selected_for_ = -1;
  bool settled_ = false;
  std::vector<int> days_;
};

}  // namespace

SlidingMedian::SlidingMedian(size_t capacity) : ring_(std::max<size_t>(1, capacity), kNaN) {
  sorted_.reserve(ring_.size());
}

namespace {

// First position in sorted a[0, n) not less than x, without data-dependent branches (the
// comparisons of a binary search over noisy values are unpredictable).
size_t LowerBound(const float* a, size_t n, float x) {
  if (n == 0) return 0;
  const float* base = a;
  while (n > 1) {
    size_t half = n / 2;
    base += half & (size_t{0} - static_cast<size_t>(base[half - 1] < x));
    n -= half;
  }
  return static_cast<size_t>(base - a) + (*base < x);
}

// Both at once, in sorted a[0, n): the position after the last value <= x, and the first
// position of a value >= y. The two searches halve the same lengths, so they run in one loop as
// two independent chains of loads that the processor overlaps.
void Bounds(const float* a, size_t n, float x, float y, size_t* upper_x, size_t* lower_y) {
  if (n == 0) {
    *upper_x = *lower_y = 0;
    return;
  }
  const float* bx = a;
  const float* by = a;
  while (n > 1) {
    size_t half = n / 2;
    // A mask rather than a multiply or a branch: the shortest chain from one load to the next.
    bx += half & (size_t{0} - static_cast<size_t>(bx[half - 1] <= x));
    by += half & (size_t{0} - static_cast<size_t>(by[half - 1] < y));
    n -= half;
  }
  *upper_x = static_cast<size_t>(bx - a) + (*bx <= x);
  *lower_y = static_cast<size_t>(by - a) + (*by < y);
}

}  // namespace

void SlidingMedian::PushValue(float v) {
  float old = kNaN;
  if (filled_ == ring_.size()) {
    old = ring_[head_];
  } else {
    ++filled_;
  }
  ring_[head_] = v;
  head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
  const bool has_old = !std::isnan(old), has_new = !std::isnan(v);
  if (has_old && has_new) {
    // Remove `old` and insert `v` with one shift of the values between them.
    float* a = sorted_.data();
    const size_t n = sorted_.size();
    if (v > old) {
      size_t upper_old, lower_v;
      Bounds(a, n, old, v, &upper_old, &lower_v);
      size_t i = upper_old - 1;  // the last copy of old
      size_t j = lower_v;        // v goes just before a[j]
      std::memmove(a + i, a + i + 1, (j - 1 - i) * sizeof(float));
      a[j - 1] = v;
    } else if (v < old) {
      size_t upper_v, lower_old;
      Bounds(a, n, v, old, &upper_v, &lower_old);
      size_t i = lower_old;  // the first copy of old
      size_t k = upper_v;    // v goes at a[k]
      std::memmove(a + k + 1, a + k, (i - k) * sizeof(float));
      a[k] = v;
    }
  } else if (has_old) {
    sorted_.erase(sorted_.begin() +
                  static_cast<ptrdiff_t>(LowerBound(sorted_.data(), sorted_.size(), old)));
  } else if (has_new) {
    sorted_.insert(
        sorted_.begin() + static_cast<ptrdiff_t>(LowerBound(sorted_.data(), sorted_.size(), v)), v);
  }
}

double SlidingMedian::Median() const {
  size_t n = sorted_.size();
  return n % 2 ? sorted_[n / 2] : 0.5 * (double(sorted_[n / 2 - 1]) + sorted_[n / 2]);
}

std::unique_ptr<Baseline> MakeBaseline(const SignalConfig& c, int64_t step) {
  int64_t min_history = std::max<int64_t>(1, c.min_history_seconds / step);
  if (c.method == Method::kSeasonal && 86400 % step == 0) {
    return std::make_unique<SeasonalBaseline>(step, 86400 / step, c.lookback_days, c.similar_days,
                                              min_history);
  }
  // Seasonal needs whole bins per day; otherwise the sliding median stands in (docs/detect.md).
  size_t window = static_cast<size_t>(std::max<int64_t>(1, c.window_seconds / step));
  return std::make_unique<IodaMedianBaseline>(window, static_cast<size_t>(min_history));
}

SignalDetector::SignalDetector(const SignalConfig& config, int64_t step)
    : config_(config),
      step_(step),
      baseline_(MakeBaseline(config, step)),
      pred_(new double[kPredictAhead]),
      max_inpaint_bins_(std::max<int64_t>(0, config.max_inpaint_seconds / step)),
      ewma_bins_(std::max<int64_t>(kMinResiduals, 86400 / step)),
      ewma_alpha_(1.0 / double(ewma_bins_)) {}

Result<Verdict> SignalDetector::Step(UnixSeconds t, std::optional<double> value) {
  UnixSeconds bin = next_ && t == *next_ ? t : BinStart(t, step_);
  if (next_ && bin < *next_) {
    return InvalidArgument("bin " + FormatIso8601(bin) + " is not after the previous bin " +
                           FormatIso8601(*next_ - step_));
  }
  pred_i_ = pred_n_ = 0;
  FillGap(bin);
  next_ = bin + step_;
  return Judge(bin, value);
}

void SignalDetector::Next(UnixSeconds t, std::optional<double> value, size_t ahead, Verdict* out) {
  if (pred_i_ == pred_n_) {
    pred_n_ = baseline_->Predict(t, std::clamp<size_t>(ahead, 1, kPredictAhead), pred_.get());
    pred_i_ = 0;
  }
  JudgeWith(t, value, pred_[pred_i_++], out);
  next_ = t + step_;
}

void SignalDetector::Hold(UnixSeconds from) {
  held_ = true;
  for (size_t i = 0; i < pending_n_; ++i) {
    if (pending_[i].time >= from) pending_[i].hold = true;
  }
}

void SignalDetector::Reset() {
  baseline_ = MakeBaseline(config_, step_);
  next_.reset();  // the fresh history starts with the next bin judged, gap or not
  pred_i_ = pred_n_ = 0;
  pending_n_ = 0;
  anomalous_run_ = 0;
  abs_residual_ = 0;
  residual_count_ = 0;
  held_ = false;
  run_bins_ = 0;
  run_z_ = 0;
}

bool SignalDetector::StepMany(UnixSeconds from, std::span<const std::optional<double>> values,
                              Verdict* out) {
  if (next_ && from < *next_) return false;
  if (values.empty()) return true;
  pred_i_ = pred_n_ = 0;
  FillGap(from);
  UnixSeconds t = from;
  double expected[256];
  for (size_t i = 0; i < values.size();) {
    size_t run = baseline_->Predict(t, std::min<size_t>(256, values.size() - i), expected);
    for (size_t k = 0; k < run; ++k, ++i, t += step_) JudgeWith(t, values[i], expected[k], &out[i]);
  }
  next_ = t;
  return true;
}

void SignalDetector::FillGap(UnixSeconds bin) {
  if (!next_ || bin == *next_) return;
  // Feed skipped bins as missing; beyond the history's reach only the count matters.
  UnixSeconds from = *next_;
  int64_t skipped = (bin - from) / step_;
  int64_t horizon =
      std::max<int64_t>(config_.window_seconds, (config_.lookback_days + 1) * 86400) / step_ + 1;
  if (skipped > horizon) from = bin - horizon * step_;
  for (UnixSeconds b = from; b < bin; b += step_) Judge(b, std::nullopt);
}

Verdict SignalDetector::Judge(UnixSeconds t, std::optional<double> value) {
  Verdict v;
  JudgeWith(t, value, baseline_->Expected(t), &v);
  return v;
}

// Writes the verdict in place: returned by value, it was stored field by field into a temporary
// and copied 16 bytes at a time right away, a store-forwarding stall per bin.
void SignalDetector::JudgeWith(UnixSeconds t, std::optional<double> value, double expected,
                               Verdict* out) {
  // Plain doubles and flags throughout: copying optionals through the stack stalls store
  // forwarding, which cost a quarter of this function's time.
  const bool has_value = value.has_value() && std::isfinite(*value) && *value >= 0;
  const double x = has_value ? *value : 0.0;
  const bool has_expected = !std::isnan(expected);
  const double e = has_expected ? expected : 0.0;
  Verdict& v = *out;
  v = Verdict{};
  v.level = has_value ? Level::kUnknown : Level::kNoData;
  if (has_value) v.value = x;
  if (has_expected) v.expected = e;
  const bool has_ratio = has_value && has_expected && e > 0;
  const double r = has_ratio ? x / e : 0.0;
  if (has_ratio) v.ratio = r;
  v.lower = e;
  bool anomalous = false;
  if (has_ratio && e >= config_.floor) {
    double res = std::fabs(x - e);
    // The band needs a spread; until kMinResiduals bins have been seen against the baseline, the
    // detector learns it and judges nothing (with z = 0 there is no band and nothing to learn).
    if (config_.z > 0 && residual_count_ < kMinResiduals) {
      // Bins already below the warning ratio are not learnt from: an outage during the warm-up
      // must not widen the band; nor are bins inside the entity's event.
      if (r >= config_.warning && !held_) {
        ++residual_count_;
        abs_residual_ += (res - abs_residual_) / double(residual_count_);
      }
    } else {
      // Counts of independent arrivals cannot be steadier than Poisson: sqrt(expected).
      double spread = std::max(1.25 * abs_residual_, config_.min_relative_spread * e);
      if (config_.counts) spread = std::max(spread, std::sqrt(e));
      v.lower = e - config_.z * spread;
      // The run test: bins below the warning ratio one after another are each weak evidence when
      // the spread is wide (a small entity), but together strong. Stouffer's sum of their
      // shortfalls in spreads, over sqrt(run length), must reach z + kRunMargin (the margin
      // allows for residuals that are not independent from bin to bin).
      if (config_.z > 0 && r < config_.warning && spread > 0) {
        ++run_bins_;
        run_z_ += (e - x) / spread;
      } else {
        run_bins_ = 0;
        run_z_ = 0;
      }
      constexpr int64_t kMinRun = 3;
      constexpr double kRunMargin = 1.0;
      const double run_threshold = config_.z + kRunMargin;
      const bool run_significant =
          run_bins_ >= kMinRun && run_z_ > 0 &&
          run_z_ * run_z_ >= run_threshold * run_threshold * static_cast<double>(run_bins_);
      bool significant = config_.z <= 0 || x < v.lower || run_significant;
      v.level = !significant           ? Level::kNormal
                : r < config_.critical ? Level::kCritical
                : r < config_.warning  ? Level::kWarning
                                       : Level::kNormal;
      anomalous = v.level >= Level::kWarning;
      if (!anomalous && !held_) {
        // Residuals of normal bins outside events only, so that outages do not widen the band: a
        // day-long EWMA.
        const int64_t n = ewma_bins_;
        ++residual_count_;
        double alpha = residual_count_ < n ? 1.0 / double(residual_count_) : ewma_alpha_;
        abs_residual_ += alpha * (res - abs_residual_);
      }
    }
  } else if (has_value) {
    run_bins_ = 0;  // a bin that cannot be judged ends a run; a missing one does not
    run_z_ = 0;
  }
  // Inpainting, held back by kInpaintDelay bins: a bin is replaced by its prediction only if it
  // belongs to an anomalous run of at least kInpaintRun bins (an isolated odd bin is noise and is
  // kept, so that a wrong prediction cannot perpetuate itself day after day), and only for the
  // first max_inpaint bins of a run (after that the new level becomes the normal) unless the
  // entity's event holds it (Hold): then it never goes in as measured.
  if (anomalous) {
    ++anomalous_run_;
  } else if (has_value) {
    anomalous_run_ = 0;  // a missing bin neither extends nor ends a run
  }
  const bool settled = baseline_->settled();
  Pending p{t,         x,
            e,         has_value,
            anomalous, anomalous && anomalous_run_ <= max_inpaint_bins_ && settled,
            false,     has_expected && settled,
            false};  // the entity decides after this bin's vote (Hold)
  if (anomalous && anomalous_run_ >= kInpaintRun) {
    p.confirmed = true;
    for (size_t i = pending_n_; i-- > 0 && (pending_[i].anomalous || !pending_[i].has_value);) {
      pending_[i].confirmed = true;
    }
  }
  if (pending_n_ == pending_.size()) {
    const Pending& q = pending_.front();
    double in = q.has_value ? q.value : kNoValue;
    if (q.hold) {
      in = q.predicted ? q.expected : kNoValue;
    } else if (q.anomalous && q.confirmed && q.inpaint) {
      in = q.expected;
    }
    baseline_->Append(q.time, in);
    for (size_t i = 1; i < pending_.size(); ++i) pending_[i - 1] = pending_[i];
    pending_.back() = p;
  } else {
    pending_[pending_n_++] = p;
  }
}

}  // namespace blackout::detect
