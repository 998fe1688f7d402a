#include "blackout/detect/baseline.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace blackout::detect {

std::string_view LevelName(Level l) {
  switch (l) {
    case Level::kUnknown:
      return "unknown";
    case Level::kNormal:
      return "normal";
    case Level::kWarning:
      return "warning";
    case Level::kCritical:
      return "critical";
  }
  return "unknown";
}

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::optional<double> Sanitize(std::optional<double> v) {
  if (!v || !std::isfinite(*v) || *v < 0) return std::nullopt;
  return v;
}

class IodaMedianBaseline final : public Baseline {
 public:
  IodaMedianBaseline(size_t window, size_t min_history)
      : median_(window), min_history_(std::max<size_t>(1, min_history)) {}
  std::optional<double> Expected(UnixSeconds) override {
    if (median_.valid() < min_history_) return std::nullopt;
    return median_.Median();
  }
  void Append(UnixSeconds, std::optional<double> value) override { median_.Push(value); }

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

  std::optional<double> Expected(UnixSeconds t) override {
    if (n_ == 0) return std::nullopt;
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
    if (valid_ < min_history_) return std::nullopt;
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
    if (m == 0) return std::nullopt;
    for (int i = 1; i < m; ++i) {  // insertion sort: m <= similar_days, a handful
      float x = vals[i];
      int j = i;
      for (; j > 0 && vals[j - 1] > x; --j) vals[j] = vals[j - 1];
      vals[j] = x;
    }
    return m % 2 ? vals[m / 2] : 0.5 * (double(vals[m / 2 - 1]) + vals[m / 2]);
  }

  bool settled() const override { return settled_; }

  void Append(UnixSeconds t, std::optional<double> value) override {
    if (n_ == 0) first_ = t;
    float v = value ? static_cast<float>(*value) : kNaN;
    size_t pos = static_cast<size_t>(head_);
    if (n_ >= static_cast<int64_t>(ring_.size()) && !std::isnan(ring_[pos])) --valid_;
    ring_[pos] = v;
    if (value) ++valid_;
    if (n_ < 2 * bpd_) first_day_.Push(value);
    ++n_;
    if (++head_ == static_cast<int64_t>(ring_.size())) head_ = 0;
  }

 private:
  // Before a whole day of history exists there is no "same time yesterday": the median of what
  // there is stands in (first_day_ is fed only during the first two days).
  std::optional<double> FirstDayMedian() const {
    if (first_day_.valid() == 0) return std::nullopt;
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
    struct Cand {
      double dist;
      int day;
    };
    std::vector<Cand> cands;
    cands.reserve(static_cast<size_t>(available));
    const int64_t stride = std::max<int64_t>(1, bpd_ / 96);
    const int64_t points = (bpd_ + stride - 1) / stride;
    for (int d = 1; d <= available; ++d) {
      // Compare the 24 h before now with the 24 h before the same time d days ago.
      double sum = 0;
      int64_t count = 0;
      // Profiles are compared at 15-minute resolution at most: plenty to tell days apart.
      for (int64_t j = 1; j <= bpd_; j += stride) {
        int64_t a = n_ - j, b = n_ - d * bpd_ - j;
        if (b < 0 || b < n_ - static_cast<int64_t>(ring_.size())) break;
        float x = At(a), y = At(b);
        if (std::isnan(x) || std::isnan(y)) continue;
        sum += std::fabs(double(x) - y);
        ++count;
      }
      // Days that cannot be compared over half a day rank last, nearest first.
      double dist = count >= points / 2 ? sum / double(count) : std::numeric_limits<double>::max();
      cands.push_back({dist, d});
    }
    std::stable_sort(cands.begin(), cands.end(),
                     [](const Cand& a, const Cand& b) { return a.dist < b.dist; });
    days_.clear();
    for (size_t i = 0; i < cands.size() && i < static_cast<size_t>(k_); ++i) {
      days_.push_back(cands[i].day);
    }
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
    base += base[half - 1] < x ? half : 0;
    n -= half;
  }
  return static_cast<size_t>(base - a) + (*base < x);
}

// First position in sorted a[0, n) greater than x.
size_t UpperBound(const float* a, size_t n, float x) {
  if (n == 0) return 0;
  const float* base = a;
  while (n > 1) {
    size_t half = n / 2;
    base += base[half - 1] <= x ? half : 0;
    n -= half;
  }
  return static_cast<size_t>(base - a) + (*base <= x);
}

}  // namespace

void SlidingMedian::Push(std::optional<double> value) {
  float v = value ? static_cast<float>(*value) : kNaN;
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
    // Replace in place and move the new value to its rank: successive values are usually close,
    // so this is short.
    // Of equal copies of `old`, take the one nearest to where `v` goes.
    size_t i = v >= old ? UpperBound(sorted_.data(), sorted_.size(), old) - 1
                        : LowerBound(sorted_.data(), sorted_.size(), old);
    sorted_[i] = v;
    while (i > 0 && sorted_[i - 1] > v) {
      sorted_[i] = sorted_[i - 1];
      sorted_[--i] = v;
    }
    while (i + 1 < sorted_.size() && sorted_[i + 1] < v) {
      sorted_[i] = sorted_[i + 1];
      sorted_[++i] = v;
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
      max_inpaint_bins_(std::max<int64_t>(0, config.max_inpaint_seconds / step)),
      ewma_bins_(std::max<int64_t>(kMinResiduals, 86400 / step)) {}

Result<Verdict> SignalDetector::Step(UnixSeconds t, std::optional<double> value) {
  UnixSeconds bin = next_ && t == *next_ ? t : BinStart(t, step_);
  if (next_ && bin < *next_) {
    return InvalidArgument("bin " + FormatIso8601(bin) + " is not after the previous bin " +
                           FormatIso8601(*next_ - step_));
  }
  if (next_ && bin != *next_) {
    // Feed skipped bins as missing; beyond the history's reach only the count matters.
    UnixSeconds from = *next_;
    int64_t skipped = (bin - from) / step_;
    int64_t horizon =
        std::max<int64_t>(config_.window_seconds, (config_.lookback_days + 1) * 86400) / step_ + 1;
    if (skipped > horizon) from = bin - horizon * step_;
    for (UnixSeconds b = from; b < bin; b += step_) Judge(b, std::nullopt);
  }
  next_ = bin + step_;
  return Judge(bin, value);
}

Verdict SignalDetector::Judge(UnixSeconds t, std::optional<double> value) {
  Verdict v;
  v.value = Sanitize(value);
  v.expected = baseline_->Expected(t);
  if (v.value && v.expected && *v.expected > 0) v.ratio = *v.value / *v.expected;
  v.lower = v.expected.value_or(0);
  bool anomalous = false;
  if (v.value && v.expected && *v.expected >= config_.floor && *v.expected > 0) {
    double e = *v.expected;
    double res = std::fabs(*v.value - e);
    // The band needs a spread; until kMinResiduals bins have been seen against the baseline, the
    // detector learns it and judges nothing (with z = 0 there is no band and nothing to learn).
    if (config_.z > 0 && residual_count_ < kMinResiduals) {
      // Bins already below the warning ratio are not learnt from: an outage during the warm-up
      // must not widen the band.
      if (*v.ratio >= config_.warning) {
        ++residual_count_;
        abs_residual_ += (res - abs_residual_) / double(residual_count_);
      }
    } else {
      double spread = std::max(1.25 * abs_residual_, config_.min_relative_spread * e);
      v.lower = e - config_.z * spread;
      double r = *v.ratio;
      bool significant = config_.z <= 0 || *v.value < v.lower;
      v.level = !significant           ? Level::kNormal
                : r < config_.critical ? Level::kCritical
                : r < config_.warning  ? Level::kWarning
                                       : Level::kNormal;
      anomalous = v.level >= Level::kWarning;
      if (!anomalous) {
        // Residuals of normal bins only, so that outages do not widen the band: a day-long EWMA.
        const int64_t n = ewma_bins_;
        ++residual_count_;
        double alpha = residual_count_ < n ? 1.0 / double(residual_count_) : 1.0 / double(n);
        abs_residual_ += alpha * (res - abs_residual_);
      }
    }
  }
  // Inpainting, held back by kInpaintDelay bins: a bin is replaced by its prediction only if it
  // belongs to an anomalous run of at least kInpaintRun bins (an isolated odd bin is noise and is
  // kept, so that a wrong prediction cannot perpetuate itself day after day), and only for the
  // first max_inpaint bins of a run (after that the new level becomes the normal).
  if (anomalous) {
    ++anomalous_run_;
  } else if (v.value) {
    anomalous_run_ = 0;  // a missing bin neither extends nor ends a run
  }
  Pending p{t,
            v.value,
            v.expected.value_or(0),
            anomalous,
            anomalous && anomalous_run_ <= max_inpaint_bins_ && baseline_->settled(),
            false};
  if (anomalous && anomalous_run_ >= kInpaintRun) {
    p.confirmed = true;
    for (size_t i = pending_.size(); i-- > 0 && (pending_[i].anomalous || !pending_[i].value);) {
      pending_[i].confirmed = true;
    }
  }
  if (pending_.size() == static_cast<size_t>(kInpaintDelay)) {
    const Pending& q = pending_.front();
    std::optional<double> h = q.value;
    if (q.anomalous && q.confirmed && q.inpaint) h = q.expected;
    baseline_->Append(q.time, h);
    for (size_t i = 1; i < pending_.size(); ++i) pending_[i - 1] = pending_[i];
    pending_.back() = p;
  } else {
    pending_.push_back(p);
  }
  return v;
}

}  // namespace blackout::detect
