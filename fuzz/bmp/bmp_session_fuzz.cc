// A Session over a LiveView fed the input in chunks (first byte: chunk size 1..256), as a station
// feeds a connection's reads: framing across reads, the bounded buffer, peer state and the view.
// After Close() no peer of the session may hold a route.
#include <cstdint>

#include "blackout/bmp/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blackout;
  if (size == 0) return 0;
  const size_t chunk = size_t{data[0]} + 1;
  ++data;
  --size;
  bgp::LiveView live(bgp::ViewOptions{.full_feed_v4 = 1, .full_feed_v6 = 1});
  {
    bmp::Session session("192.0.2.1", &live);
    for (size_t at = 0; at < size; at += chunk) {
      const size_t n = std::min(chunk, size - at);
      if (!session.Feed(std::span<const uint8_t>(data + at, n)).ok()) break;
      if (session.buffered() > bmp::kMaxMessageBytes + chunk) __builtin_trap();
    }
    (void)live.Advance(1700000000);
    session.Close();
  }
  live.With([](bgp::RoutingView& v) {
    for (const auto& p : v.peers()) {
      if (p.v4_prefixes + p.v6_prefixes != 0) __builtin_trap();
    }
  });
  return 0;
}
