// Live capture end to end: the test makes a network namespace holding a veth pair (dk0 <-> dk1),
// captures on dk1 through LiveCapture and sends Ethernet frames from 198.18.0.0/15 sources into dk0
// through a packet socket. Everything stays inside the namespace: it has no other interface, no
// address and no route. The counts must be exact. Needs root (label netns).
#include "blackout/darknet/live.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "blackout/darknet/pcap_writer.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::darknet {
namespace {

// 198.18.0.X is country/AA, 198.18.1.X country/BB (and asn/64500 for both).
Attributor TestNet() {
  return [](const IpAddress& a, std::vector<std::string>* out) {
    if (!a.is_v4() || (a.v4() >> 16) != 0xC612) return;
    out->push_back(((a.v4() >> 8) & 0xff) == 0 ? "country/AA" : "country/BB");
    out->push_back("asn/64500");
  };
}

class Namespace {
 public:
  Namespace() : name_("dklive" + std::to_string(getpid() % 100000)) {
    Run("ip netns add " + name_);
    Run("ip -n " + name_ + " link add dk0 type veth peer name dk1");
    Run("ip -n " + name_ + " link set dk0 up");
    Run("ip -n " + name_ + " link set dk1 up");
  }
  ~Namespace() { testing::RunCommand("ip netns del " + name_ + " 2>/dev/null"); }
  // Runs `f` with this thread in the namespace, then returns to the original one.
  void Enter(const std::function<void()>& f) {
    int home = open("/proc/self/ns/net", O_RDONLY);
    int ns = open(("/var/run/netns/" + name_).c_str(), O_RDONLY);
    ASSERT_GE(home, 0);
    ASSERT_GE(ns, 0);
    ASSERT_EQ(setns(ns, CLONE_NEWNET), 0);
    f();
    EXPECT_EQ(setns(home, CLONE_NEWNET), 0);
    close(ns);
    close(home);
  }

 private:
  static void Run(const std::string& cmd) {
    auto r = testing::RunCommand(cmd);
    ASSERT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
  }
  std::string name_;
};

TEST(LiveCaptureTest, CountsEveryPacketSentInANamespace) {
  ASSERT_EQ(geteuid(), 0u) << "the live capture test needs root (network namespaces)";
  Namespace ns;
  DarknetOptions o;
  o.step = 86400;  // one bin, unless the test runs across midnight UTC
  ASSERT_TRUE(ParseFilterRules("all,-special-source", &o.filter).ok());  // 198.18/15 is special
  o.bpf = "ip";
  LiveCapture live("dk1", TestNet(), o);
  int sock = -1;
  int ifindex = 0;
  ns.Enter([&] {
    Status st = live.Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    sock = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    ifindex = static_cast<int>(if_nametoindex("dk0"));
  });
  ASSERT_GE(sock, 0);
  ASSERT_GT(ifindex, 0);
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = ifindex;
  to.sll_halen = 6;
  auto send = [&](uint32_t src, bool noise) {
    PacketSpec s;
    s.src = src;
    s.dst = 0xC613FF01;  // 198.19.255.1
    if (noise) s.ttl = 250;
    std::string frame =
        std::string("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14) +
        MakeIpv4Packet(s);
    ASSERT_EQ(
        sendto(sock, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)),
        static_cast<ssize_t>(frame.size()));
  };
  // AA: 40 sources, 3 packets each; BB: 15 sources, 1 packet each; 10 packets the filter drops.
  for (int round = 0; round < 3; ++round) {
    for (uint32_t i = 1; i <= 40; ++i) send(0xC6120000 | i, false);
  }
  for (uint32_t i = 1; i <= 15; ++i) send(0xC6120100 | i, false);
  for (uint32_t i = 1; i <= 10; ++i) send(0xC6120100 | i, true);
  const uint64_t sent = 3 * 40 + 15 + 10;
  for (int i = 0; i < 100 && live.stats().packets < sent; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const PacketStats stats = live.stats();
  EXPECT_EQ(stats.packets, sent);
  EXPECT_EQ(stats.by[static_cast<size_t>(Drop::kTtl200)], 10u);
  // Every bin written to a store, its ledger entry with it.
  testing::TempDir dir;
  auto st = store::OpenStore("sqlite:" + (dir / "db").string());
  ASSERT_TRUE(st.ok());
  auto points = live.Flush(**st, 0, /*all=*/true);
  ASSERT_TRUE(points.ok()) << points.status().ToString();
  auto total = [&](const std::string& entity, std::string_view signal) {
    auto s = (*st)->ReadSeries({entity, std::string(signal), ""}, 0, INT64_MAX);
    double sum = 0;
    if (s.ok()) {
      for (double v : s->values) sum += v;  // one bin, two across midnight UTC
    }
    return sum;
  };
  EXPECT_EQ(total("country/AA", "darknet"), 40);
  EXPECT_EQ(total("country/AA", kPacketsSignal), 120);
  EXPECT_EQ(total("country/BB", "darknet"), 15);
  EXPECT_EQ(total("country/BB", kPacketsSignal), 15);
  EXPECT_EQ(total("asn/64500", "darknet"), 55);
  // A straggler for the bin already written is not counted (it would replace the bin's count).
  send(0xC6120001, false);
  for (int i = 0; i < 100 && live.late_packets() + live.stats().packets <= sent; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  close(sock);
  live.Stop();
  EXPECT_EQ(live.late_packets() + live.stats().packets, sent + 1);
  EXPECT_EQ(live.TakeCounts(0, true).size(), live.late_packets() == 1 ? 0u : 1u);
}

}  // namespace
}  // namespace blackout::darknet
