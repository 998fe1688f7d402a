// Per-series judgement, one bin at a time: a baseline predicts each bin from the history before it,
// and a SignalDetector turns (value, expected, band) into a level, keeping the history clean by
// inpainting anomalous bins. Everything here is streaming; batch detection is the same code fed a
// whole series, so both give identical results by construction.
//
// Bad input has defined behaviour: missing, NaN, infinite or negative values are "missing" (never
// zero) and yield kUnknown; a bin is judged only once the baseline has enough valid history and the
// expected value is at or above the floor. Thread-safety: one object per thread.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "blackout/base/time.h"
#include "blackout/detect/config.h"
#include "blackout/store/types.h"

namespace blackout::detect {

// The one level scale is the store's (store/types.h).
using store::kNumLevels;
using store::Level;
using store::LevelName;
using store::ParseLevel;

// Predicts the next bin from the bins appended so far. Bins are consecutive (the caller fills time
// gaps with missing bins). Values are plain doubles with NaN for "none": this is the innermost
// loop, and optionals returned through memory stall it.
class Baseline {
 public:
  virtual ~Baseline() = default;
  // The expected value of the bin starting at `t` (the bin after the last appended one), or NaN
  // when there is not enough history.
  virtual double Expected(UnixSeconds t) = 0;
  // Whether the last Expected() came from the method proper rather than a warm-up stand-in; only
  // settled predictions may replace values in the history (inpainting).
  virtual bool settled() const { return true; }
  // Appends the history value of the bin starting at `t`; NaN = missing.
  virtual void Append(UnixSeconds t, double value) = 0;
  // Batch: out[0] = Expected(t), and out[i] for the following bins t + i * step, 0 < i < the
  // returned count (1 <= count <= max), for as many as can be known now: exactly what Expected()
  // would return for each of them after the caller appended the bins between (at most
  // kInpaintDelay behind, as SignalDetector does), with settled() unchanged throughout.
  // REQUIRES: max >= 1.
  virtual size_t Predict(UnixSeconds t, size_t max, double* out) {
    (void)max;
    out[0] = Expected(t);
    return 1;
  }
};

// REQUIRES: ValidateConfig-valid config, step > 0.
std::unique_ptr<Baseline> MakeBaseline(const SignalConfig& config, int64_t step);

// The verdict on one bin of one signal.
struct Verdict {
  Level level = Level::kNoData;
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

  // Batch: judges the consecutive bins from, from + step, ... (values[i] is the bin from + i *
  // step) and writes their verdicts to out[0, values.size()). Exactly what values.size() calls of
  // Step would give, without their per-bin overhead. Returns false (nothing changed) when `from`
  // is not after the previous bin.
  // REQUIRES: `from` on the step grid; out has room for values.size() verdicts.
  bool StepMany(UnixSeconds from, std::span<const std::optional<double>> values, Verdict* out);

  // Batch: judges the bin starting at `t`, which must be the bin after the previous one (or the
  // first), exactly as Step would, predicting up to `ahead` bins at once where the baseline can
  // (Baseline::Predict). The caller may call Hold between two Next calls.
  // REQUIRES: t on the step grid and == next_bin() when there was a previous bin; ahead >= 1.
  void Next(UnixSeconds t, std::optional<double> value, size_t ahead, Verdict* out);

  // The entity's event is open: the judged bins from `from` on that are not yet in the history go
  // in as their prediction (or as missing when there is none), never as measured, and until
  // Release() no bin's residual teaches the band. The baseline never learns from an outage,
  // however long it lasts (docs/detect.md, "Long outages and new normals").
  void Hold(UnixSeconds from);
  void Release() { held_ = false; }
  // An operator declared a new normal: the history, the band and any anomalous run are dropped,
  // and the signal learns afresh from the next bin (warm-up included).
  void Reset();

  const SignalConfig& config() const { return config_; }
  int64_t step() const { return step_; }
  // Start of the next bin expected (the bin after the last one judged), or nullopt before the
  // first.
  std::optional<UnixSeconds> next_bin() const { return next_; }

 private:
  Verdict Judge(UnixSeconds t, std::optional<double> value);
  void JudgeWith(UnixSeconds t, std::optional<double> value, double expected, Verdict* out);
  // Feeds the bins from next_ up to `bin` (exclusive) as missing; bounded by the history's reach.
  void FillGap(UnixSeconds bin);

  SignalConfig config_;
  int64_t step_;
  std::unique_ptr<Baseline> baseline_;
  std::optional<UnixSeconds> next_;
  // Next()'s predictions made ahead (Baseline::Predict); [pred_i_, pred_n_) are still to use.
  static constexpr size_t kPredictAhead = 256;
  std::unique_ptr<double[]> pred_;
  size_t pred_i_ = 0, pred_n_ = 0;
  // Write-behind: a bin goes into the history this many bins after it was judged, so that an
  // anomalous run (kInpaintRun) or the entity's event (min_event_bins, 3 by default) confirmed in
  // the meantime can still keep it out.
  static constexpr int kInpaintDelay = 3;
  static constexpr int kInpaintRun = 3;
  static constexpr int64_t kMinResiduals = 24;
  struct Pending {
    UnixSeconds time;
    double value;     // valid if has_value
    double expected;  // 0 when there was no prediction
    bool has_value;
    bool anomalous;
    bool inpaint;    // within the first max_inpaint bins of its run
    bool confirmed;  // its run reached kInpaintRun bins
    bool predicted;  // had a settled prediction (`expected`)
    bool hold;       // inside the entity's event: never learnt as measured
  };
  // Judged bins not yet in the history (the first pending_n_).
  std::array<Pending, kInpaintDelay> pending_{};
  size_t pending_n_ = 0;
  int64_t anomalous_run_ = 0;  // consecutive anomalous bins (for the inpainting limit)
  int64_t max_inpaint_bins_;
  int64_t ewma_bins_;  // the spread's EWMA spans a day
  double ewma_alpha_;  // 1 / ewma_bins_ (a division per bin costs)
  // Robust running spread: mean absolute residual of normal bins (EWMA after warm-up).
  double abs_residual_ = 0;
  int64_t residual_count_ = 0;
  bool held_ = false;  // between Hold() and Release()
  // The current run of judged bins below the warning ratio: its length and the sum of its
  // standardised shortfalls (expected - value) / spread, for the run test (docs/detect.md).
  int64_t run_bins_ = 0;
  double run_z_ = 0;
};

// A sliding-window median over the last `capacity` values, missing values ignored. O(capacity)
// worst case per push (a memmove of floats); exposed for tests and benchmarks.
class SlidingMedian {
 public:
  explicit SlidingMedian(size_t capacity);
  void Push(std::optional<double> value) {
    PushValue(value ? static_cast<float>(*value) : std::numeric_limits<float>::quiet_NaN());
  }
  void PushValue(float value);  // NaN = missing
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
