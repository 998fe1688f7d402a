#include "blackout/probe/clock.h"

#include <ctime>

namespace blackout::probe {
namespace {
int64_t Read(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return int64_t{ts.tv_sec} * kNanosPerSecond + ts.tv_nsec;
}
}  // namespace

RealClock::RealClock()
    : wall_at_start_(Read(CLOCK_REALTIME)), mono_at_start_(Read(CLOCK_MONOTONIC)) {}

int64_t RealClock::Now() { return wall_at_start_ + (Read(CLOCK_MONOTONIC) - mono_at_start_); }

}  // namespace blackout::probe
