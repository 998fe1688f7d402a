// The captures of ../shared/data/bmp/pmacct/ (README there) replayed into sessions and, over
// loopback, into a station: per-peer route counts pinned. The counts agree with pmacct's pmbmpd
// on the same streams (bench/bmp/run.sh compares them in the same run).
#include "blackout/bmp/replay.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "blackout/testing/testing.h"

namespace blackout::bmp {
namespace {

using Counts = std::map<std::string, std::pair<uint64_t, uint64_t>>;  // peer -> v4, v6

Counts PeerCounts(bgp::LiveView& live) {
  Counts out;
  live.With([&](bgp::RoutingView& v) {
    for (const auto& p : v.peers()) {
      out[p.collector + " " + p.ip.ToString() + " AS" + std::to_string(p.asn)] = {p.v4_prefixes,
                                                                                  p.v6_prefixes};
    }
  });
  return out;
}

std::string Dump(const Counts& c) {
  std::string s;
  for (const auto& [k, v] : c) {
    s += "      {\"" + k + "\", {" + std::to_string(v.first) + ", " + std::to_string(v.second) +
         "}},\n";
  }
  return s;
}

struct Replayed {
  std::unique_ptr<bgp::LiveView> live = std::make_unique<bgp::LiveView>();
  std::vector<std::unique_ptr<Session>> sessions;
  std::vector<std::string> problems;
  uint64_t messages = 0, elements = 0;
};

Replayed Replay(const std::vector<std::string>& relative) {
  std::vector<std::string> paths;
  for (const auto& r : relative) paths.push_back(testing::DataFile("bmp/pmacct/" + r).string());
  Replayed r;
  auto streams = LoadStreams(paths);
  EXPECT_TRUE(streams.ok()) << streams.status().ToString();
  if (!streams.ok()) return r;
  r.sessions = ReplayStreams(*streams, r.live.get(), &r.problems);
  for (const auto& s : r.sessions) {
    r.messages += s->stats().messages;
    r.elements += s->stats().elements;
  }
  return r;
}

struct Totals {
  size_t sessions = 0, peers = 0;
  uint64_t messages = 0, routes = 0, v4 = 0, v6 = 0;
  size_t problems = 0;
  friend bool operator==(const Totals&, const Totals&) = default;
};

std::string Show(const Totals& t) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "{%zu, %zu, %llu, %llu, %llu, %llu, %zu}", t.sessions, t.peers,
                (unsigned long long)t.messages, (unsigned long long)t.routes,
                (unsigned long long)t.v4, (unsigned long long)t.v6, t.problems);
  return buf;
}

Totals Sum(Replayed& r) {
  Totals t;
  t.sessions = r.sessions.size();
  t.messages = r.messages;
  t.routes = r.elements;
  t.problems = r.problems.size();
  for (const auto& [peer, c] : PeerCounts(*r.live)) {
    ++t.peers;
    t.v4 += c.first;
    t.v6 += c.second;
  }
  return t;
}

const std::vector<std::string> k208 = {
    "208-BMP-mem-leak-test/bmp-multi-sources-init.pcap",
    "208-BMP-mem-leak-test/bmp-multi-sources-peer-up.pcap",
    "208-BMP-mem-leak-test/bmp-multi-sources-route-monitoring.pcap"};

// Sessions, peers, messages, routes decoded, IPv4 and IPv6 prefixes held at the end, problems.
TEST(BmpReplayTest, PinnedTotalsPerCapture) {
  const std::vector<std::pair<std::vector<std::string>, Totals>> cases = {
      {{"200-BMP-HUAWEI-locrib_instance/traffic-00.pcap"}, {1, 1, 103, 5, 3, 2, 0}},
      {{"201-BMP-CISCO-rd_instance/traffic-00.pcap"}, {1, 42, 336, 235, 133, 102, 0}},
      {{"204-BMP-CISCO-peer_down/traffic-00.pcap"}, {1, 5, 343, 72, 18, 10, 0}},
      {{"205-BMP-6wind-FRR-peer_down/traffic-00.pcap"}, {1, 5, 509, 142, 142, 0, 2}},
      {k208, {14, 218, 7259, 4536, 2725, 1763, 3}},
  };
  for (const auto& [files, want] : cases) {
    Replayed r = Replay(files);
    Totals got = Sum(r);
    EXPECT_EQ(got, want) << files[0] << ": got " << Show(got) << "\n" << Dump(PeerCounts(*r.live));
  }
}

}  // namespace
}  // namespace blackout::bmp
