// The real network: a raw IPv4 ICMP socket (socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)). The kernel
// writes the IPv4 header; we write the ICMP echo (icmp.h). Sends are batched with sendmmsg(2),
// receives with recvmmsg(2); a kernel ICMP filter passes only echo replies up to us.
// Opening needs CAP_NET_RAW. Thread-safety: one thread at a time.
#pragma once

#include <memory>

#include "blackout/probe/clock.h"
#include "blackout/probe/packet_io.h"

namespace blackout::probe {

class RawSocketIo : public PacketIo {
 public:
  // kPermissionDenied with a message naming CAP_NET_RAW when the process lacks it.
  static Result<std::unique_ptr<RawSocketIo>> Open(Clock& clock);
  ~RawSocketIo() override;
  RawSocketIo(const RawSocketIo&) = delete;
  RawSocketIo& operator=(const RawSocketIo&) = delete;

  Status Send(std::span<const Echo> requests) override;
  Status Receive(int64_t deadline_ns, std::vector<Echo>& out) override;
  const IoCounters& counters() const override { return counters_; }

 private:
  RawSocketIo(Clock& clock, int fd) : clock_(clock), fd_(fd) {}
  void Drain(std::vector<Echo>& out);

  Clock& clock_;
  int fd_;
  IoCounters counters_;
};

}  // namespace blackout::probe
