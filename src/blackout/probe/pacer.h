// Paces packets at a fixed rate: one every 1/rate seconds, with a small catch-up burst when the
// caller woke late, never more. Thread-safety: not thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>

namespace blackout::probe {

class Pacer {
 public:
  // REQUIRES: rate_pps > 0.
  Pacer(double rate_pps, int64_t start_ns, int64_t max_lag_ns = 10'000'000)
      : interval_ns_(1e9 / rate_pps),
        next_ns_(static_cast<double>(start_ns)),
        max_lag_ns_(max_lag_ns) {}

  // Packets that may go now.
  uint64_t Allowance(int64_t now_ns) {
    double now = static_cast<double>(now_ns);
    if (now < next_ns_) return 0;
    // Credit older than max_lag_ns is forfeited, so a stall is not followed by a flood.
    next_ns_ = std::max(next_ns_, now - static_cast<double>(max_lag_ns_));
    return static_cast<uint64_t>((now - next_ns_) / interval_ns_) + 1;
  }
  void Consume(uint64_t n) { next_ns_ += static_cast<double>(n) * interval_ns_; }
  // When the next packet may go.
  int64_t NextNs() const { return static_cast<int64_t>(next_ns_); }

 private:
  double interval_ns_;
  double next_ns_;
  int64_t max_lag_ns_;
};

}  // namespace blackout::probe
