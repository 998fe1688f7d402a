// A simulated network for deterministic tests and benchmarks: a PacketIo whose replies are decided
// by a callback and delivered in FakeClock time. Receive() advances the clock to the next delivery
// or to the deadline, so a prober runs hours of rounds in milliseconds. Thread-safety: none.
#pragma once

#include <functional>
#include <queue>
#include <vector>

#include "blackout/probe/clock.h"
#include "blackout/probe/packet_io.h"

namespace blackout::probe {

struct FakeResponse {
  bool reply = false;
  int64_t delay_ns = 1'000'000;  // round-trip time
};

class FakeNetwork : public PacketIo {
 public:
  // Decides, for a request to `dst` sent at `now_ns`, whether and when it is answered.
  using Responder = std::function<FakeResponse(uint32_t dst, int64_t now_ns)>;
  FakeNetwork(FakeClock& clock, Responder responder)
      : clock_(clock), responder_(std::move(responder)) {}

  Status Send(std::span<const Echo> requests) override;
  Status Receive(int64_t deadline_ns, std::vector<Echo>& out) override;
  const IoCounters& counters() const override { return counters_; }

  // Delivers `reply` at time `at_ns` (forged or duplicated replies in tests).
  void Inject(const Echo& reply, int64_t at_ns);
  // When true, every request is kept in sent() (tests); off by default (benchmarks).
  void set_record(bool record) { record_ = record; }
  const std::vector<Echo>& sent() const { return sent_; }
  std::vector<int64_t>& sent_times() { return sent_times_; }

 private:
  struct Pending {
    int64_t at;
    uint64_t order;
    Echo echo;
    bool operator>(const Pending& o) const { return at != o.at ? at > o.at : order > o.order; }
  };
  FakeClock& clock_;
  Responder responder_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue_;
  uint64_t order_ = 0;
  bool record_ = false;
  std::vector<Echo> sent_;
  std::vector<int64_t> sent_times_;
  IoCounters counters_;
};

}  // namespace blackout::probe
