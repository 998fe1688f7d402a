// The 208 capture set's 14 routers replayed at once over loopback into a Station, with misbehaving
// clients beside them (garbage, a stall, an oversized length, a disconnect mid-message) and one
// router flapping: the well-behaved sessions end with the same per-peer counts as the in-process
// replay, each bad client is closed and counted, and the flapping router counts nothing twice.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include "blackout/bmp/replay.h"
#include "blackout/bmp/station.h"
#include "blackout/testing/testing.h"

namespace blackout::bmp {
namespace {

using Counts = std::map<std::string, std::pair<uint64_t, uint64_t>>;

Counts PeerCounts(bgp::LiveView& live) {
  Counts out;
  live.With([&](bgp::RoutingView& v) {
    for (const auto& p : v.peers()) {
      // A peer without routes is no peer for the signal (a Peer Up alone, or a peer gone down).
      if (p.v4_prefixes + p.v6_prefixes == 0) continue;
      out[p.collector + " " + p.ip.ToString() + " AS" + std::to_string(p.asn)] = {p.v4_prefixes,
                                                                                  p.v6_prefixes};
    }
  });
  return out;
}

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return fd;
}

void SendAll(int fd, std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd, bytes.data(), std::min<size_t>(bytes.size(), 4096), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
}

template <typename F>
bool WaitFor(F&& done, int ms = 20000) {
  for (int i = 0; i < ms / 20; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

std::vector<TcpStream> Load208() {
  std::vector<std::string> paths;
  for (const char* f : {"bmp-multi-sources-init.pcap", "bmp-multi-sources-peer-up.pcap",
                        "bmp-multi-sources-route-monitoring.pcap"}) {
    paths.push_back(testing::DataFile(std::string("bmp/pmacct/208-BMP-mem-leak-test/") + f));
  }
  auto streams = LoadStreams(paths);
  EXPECT_TRUE(streams.ok()) << streams.status().ToString();
  return streams.ok() ? *streams : std::vector<TcpStream>{};
}

TEST(BmpStationTest, ManyRoutersAtOnceBesideMisbehavingClients) {
  const std::vector<TcpStream> streams = Load208();
  ASSERT_EQ(streams.size(), 14u);
  bgp::LiveView reference;
  auto ref_sessions = ReplayStreams(streams, &reference, nullptr);
  uint64_t messages = 0;
  for (const auto& s : ref_sessions) messages += s->stats().messages;

  bgp::LiveView live;
  StationOptions options;
  options.listen = {"127.0.0.1:0"};
  options.stall = std::chrono::milliseconds(300);
  Station station(options, &live);
  ASSERT_TRUE(station.Start().ok());
  const int port = station.ports().at(0);

  // Misbehaving clients first, so the good sessions run while they are being dealt with.
  int garbage = Connect(port);
  SendAll(garbage, std::span(reinterpret_cast<const uint8_t*>("GET / HTTP/1.1\r\n\r\n"), 18));
  int oversized = Connect(port);
  const uint8_t huge[6] = {3, 0x40, 0, 0, 0, 0};  // 1 GiB message
  SendAll(oversized, huge);
  int stall = Connect(port);
  SendAll(stall, std::span(streams[0].bytes.data(), 3));  // half a header, then nothing
  int cut = Connect(port);
  SendAll(cut, std::span(streams[1].bytes.data(), 100));
  close(cut);  // disconnects inside a message

  std::vector<std::thread> routers;
  std::vector<int> fds(streams.size());
  for (size_t i = 0; i < streams.size(); ++i) {
    fds[i] = Connect(port);
    routers.emplace_back([&, i] { SendAll(fds[i], streams[i].bytes); });
  }
  for (auto& t : routers) t.join();
  ASSERT_TRUE(WaitFor([&] { return station.stats().messages >= messages; }))
      << station.stats().messages << " of " << messages;
  ASSERT_TRUE(WaitFor([&] { return station.stats().closed_stalled == 1; }));
  const StationStats s = station.stats();
  EXPECT_EQ(s.messages, messages);
  EXPECT_EQ(s.closed_garbage, 2u);  // not BMP, and a length beyond kMaxMessageBytes
  EXPECT_EQ(s.closed_stalled, 1u);
  EXPECT_EQ(s.closed_disconnect, 1u);
  EXPECT_EQ(s.sessions_open, 14u);
  EXPECT_EQ(PeerCounts(live), PeerCounts(reference));

  // One router flaps: disconnects (its peers go down) and sends its whole session again.
  close(fds[0]);
  ASSERT_TRUE(WaitFor([&] { return station.stats().closed_disconnect == 2; }));
  const Counts after_down = PeerCounts(live);
  EXPECT_NE(after_down, PeerCounts(reference));
  fds[0] = Connect(port);
  SendAll(fds[0], streams[0].bytes);
  ASSERT_TRUE(WaitFor([&] { return PeerCounts(live) == PeerCounts(reference); }))
      << "the flapped router's peers do not hold what they held before";
  // The same router connects again while its old connection still looks open (a half-open TCP
  // session): the old session is closed as replaced before the new one's routes count, so the old
  // one's end cannot drop them.
  const int old_fd = fds[1];
  fds[1] = Connect(port);
  SendAll(fds[1], streams[1].bytes);
  ASSERT_TRUE(WaitFor([&] { return station.stats().closed_replaced == 1; }));
  ASSERT_TRUE(WaitFor([&] { return PeerCounts(live) == PeerCounts(reference); }));
  close(old_fd);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(PeerCounts(live), PeerCounts(reference));

  for (int fd : fds) close(fd);
  for (int fd : {garbage, oversized, stall}) close(fd);
  station.Stop();
  // Every session closed: no peer keeps a route.
  EXPECT_TRUE(PeerCounts(live).empty());
}

}  // namespace
}  // namespace blackout::bmp
