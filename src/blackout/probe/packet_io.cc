#include "blackout/probe/packet_io.h"

#include "blackout/base/ip.h"

namespace blackout::probe {

Status GuardedPacketIo::Send(std::span<const Echo> requests) {
  for (const Echo& e : requests) {
    if (!policy_.Allowed(e.addr)) {
      ++counters_.blocked;
      return Status(StatusCode::kPermissionDenied, "refusing to probe " +
                                                       IpAddress::V4(e.addr).ToString() + ": " +
                                                       policy_.WhyBlocked(e.addr));
    }
  }
  return inner_.Send(requests);
}

const IoCounters& GuardedPacketIo::counters() const {
  uint64_t blocked = counters_.blocked;
  counters_ = inner_.counters();
  counters_.blocked = blocked;
  return counters_;
}

}  // namespace blackout::probe
