// The prober's view of time, injected so rounds, pacing and timeouts can be tested in simulated
// time. Now() is Unix time in nanoseconds. RealClock runs on CLOCK_MONOTONIC anchored to the wall
// clock once at construction, so pacing is immune to wall-clock steps. Thread-safety: RealClock is
// safe from any thread; FakeClock is not (single-threaded tests).
#pragma once

#include <cstdint>

namespace blackout::probe {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t Now() = 0;
};

class RealClock : public Clock {
 public:
  RealClock();
  int64_t Now() override;

 private:
  int64_t wall_at_start_;
  int64_t mono_at_start_;
};

class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t start_ns) : now_(start_ns) {}
  int64_t Now() override { return now_; }
  // Never moves backwards.
  void AdvanceTo(int64_t t) {
    if (t > now_) now_ = t;
  }
  void Advance(int64_t d) { now_ += d; }

 private:
  int64_t now_;
};

}  // namespace blackout::probe
