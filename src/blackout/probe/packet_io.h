// Packet I/O behind a small interface (like LevelDB's Env): the prober hands over echo requests and
// takes back parsed echo replies; whoever implements it writes and reads the bytes. RawSocketIo
// (raw_socket.h) is the real network, FakeNetwork (fake_network.h) a simulated one, and
// GuardedPacketIo enforces the SafetyPolicy on every packet whatever sits below it.
// Thread-safety: implementations are used from one thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/probe/icmp.h"
#include "blackout/probe/safety.h"

namespace blackout::probe {

struct IoCounters {
  uint64_t sent = 0;
  uint64_t send_errors = 0;  // packets the kernel refused (buffer full, no route)
  uint64_t received = 0;     // echo replies parsed
  uint64_t not_echo = 0;     // other ICMP (e.g. our own requests on loopback), malformed
  uint64_t blocked = 0;      // refused by GuardedPacketIo
};

class PacketIo {
 public:
  virtual ~PacketIo() = default;
  // Sends one echo request per element. Non-OK only for failures that end the run (permissions,
  // a blocked destination in GuardedPacketIo); a packet the kernel drops is counted, not an error.
  virtual Status Send(std::span<const Echo> requests) = 0;
  // Waits until a reply is available or the injected clock reaches `deadline_ns`, then appends
  // every reply available now to `out` (possibly none).
  virtual Status Receive(int64_t deadline_ns, std::vector<Echo>& out) = 0;
  virtual const IoCounters& counters() const = 0;
};

// Refuses to send to any address the policy blocks: the last line of defence under every prober.
// A blocked destination reaching this layer is a bug upstream, so Send fails (kPermissionDenied)
// without sending anything of the batch.
class GuardedPacketIo : public PacketIo {
 public:
  GuardedPacketIo(PacketIo& inner, const SafetyPolicy& policy) : inner_(inner), policy_(policy) {}
  Status Send(std::span<const Echo> requests) override;
  Status Receive(int64_t deadline_ns, std::vector<Echo>& out) override {
    return inner_.Receive(deadline_ns, out);
  }
  const IoCounters& counters() const override;

 private:
  PacketIo& inner_;
  const SafetyPolicy& policy_;
  mutable IoCounters counters_;
};

}  // namespace blackout::probe
