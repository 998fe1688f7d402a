// Per-series judgement, one bin at a time: a baseline predicts each bin from the history before it,
// and a SignalDetector turns (value, expected, band) into a level, keeping the history clean by
// inpainting anomalous bins. Everything here is streaming; batch detection is the same code fed a
// whole series, so both give identical results by construction.
//
// Bad input has defined behaviour: missing, NaN, infinite or negative values are "missing" (never
// zero) and yield kUnknown; a bin is judged only once the baseline has enough valid history and the
// expected value is at or above the floor. Thread-safety: one object per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "blackout/base/time.h"
#include "blackout/detect/config.h"

namespace blackout::detect {

enum class Level : uint8_t { kUnknown = 0, kNormal = 1, kWarning = 2, kCritical = 3 };
std::string_view LevelName(Level l);  // "unknown", "normal", "warning", "critical"

// Predicts the next bin from the bins appended so far. Bins are consecutive (the caller fills time
// gaps with missing bins).
class Baseline {
 public:
  virtual ~Baseline() = default;
  // The expected value of the bin starting at `t` (the bin after the last appended one), or nullopt
  // when there is not enough history.
  virtual std::optional<double> Expected(UnixSeconds t) = 0;
  // Whether the last Expected() came from the method proper rather than a warm-up stand-in; only
  // settled predictions may replace values in the history (inpainting).
  virtual bool settled() const { return true; }
  // Appends the history value of the bin starting at `t`; nullopt = missing.
  virtual void Append(UnixSeconds t, std::optional<double> value) = 0;
};

// REQUIRES: ValidateConfig-valid config, step > 0.
std::unique_ptr<Baseline> MakeBaseline(const SignalConfig& config, int64_t step);

// The verdict on one bin of one signal.
struct Verdict {
  Level level = Level::kUnknown;
  std::optional<double> value;     // the bin's value (nullopt: missing or invalid)
  std::optional<double> expected;  // nullopt: no baseline yet
  double lower = 0;                // lower edge of the band (expected - z * spread)
  // value / expected; nullopt when either is unknown or expected is 0.
  std::optional<double> ratio;
};

// Judges one series bin by bin. Bins must come in increasing time order on the step grid; see
// Step(). Not copyable cheaply (holds the history window).
class SignalDetector {
 public:
  SignalDetector(const SignalConfig& config, int64_t step);

  // Judges the bin starting at `t` (aligned or not: it is taken as BinStart(t, step)). Bins skipped
  // since the previous call are fed as missing (a gap longer than the history is fed in
  // O(history)). A bin at or before the previous one is rejected with kInvalidArgument and changes
  // nothing.
  Result<Verdict> Step(UnixSeconds t, std::optional<double> value);

  const SignalConfig& config() const { return config_; }
  int64_t step() const { return step_; }
  // Start of the next bin expected (the bin after the last one judged), or nullopt before the
  // first.
  std::optional<UnixSeconds> next_bin() const { return next_; }

 private:
  Verdict Judge(UnixSeconds t, std::optional<double> value);

  SignalConfig config_;
  int64_t step_;
  std::unique_ptr<Baseline> baseline_;
  std::optional<UnixSeconds> next_;
  static constexpr int kInpaintDelay = 2;
  static constexpr int kInpaintRun = 3;
  static constexpr int64_t kMinResiduals = 24;
  struct Pending {
    UnixSeconds time;
    std::optional<double> value;
    double expected;
    bool anomalous;
    bool inpaint;    // within the first max_inpaint bins of its run
    bool confirmed;  // its run reached kInpaintRun bins
  };
  std::vector<Pending> pending_;  // judged bins not yet in the history (at most kInpaintDelay)
  int64_t anomalous_run_ = 0;     // consecutive anomalous bins (for the inpainting limit)
  int64_t max_inpaint_bins_;
  int64_t ewma_bins_;  // the spread's EWMA spans a day
  // Robust running spread: mean absolute residual of normal bins (EWMA after warm-up).
  double abs_residual_ = 0;
  int64_t residual_count_ = 0;
};

// A sliding-window median over the last `capacity` values, missing values ignored. O(capacity)
// worst case per push (a memmove of floats); exposed for tests and benchmarks.
class SlidingMedian {
 public:
  explicit SlidingMedian(size_t capacity);
  void Push(std::optional<double> value);
  size_t valid() const { return sorted_.size(); }
  // REQUIRES: valid() > 0
  double Median() const;

 private:
  std::vector<float> ring_;  // NaN = missing
  std::vector<float> sorted_;
  size_t head_ = 0;
  size_t filled_ = 0;
};

}  // namespace blackout::detect
