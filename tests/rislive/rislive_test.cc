// RIS Live end to end: the recorded streams of $BLACKOUT_DATA/ris-live through the parser (counts
// pinned, raw and JSON decoders agreeing peer by peer), through the client and a loopback
// WebSocket server (counts per peer against the server's own count by Python's json module,
// reconnect after a dropped connection, the gap reported, the filters in the subscription,
// TLS), and the rule that a RIS peer seen live and in RIS's archives is one peer.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "blackout/bgp/ingest.h"
#include "blackout/bgp/live.h"
#include "blackout/bgp/view.h"
#include "blackout/mrt/reader.h"
#include "blackout/rislive/internal/raw.h"
#include "blackout/rislive/parser.h"
#include "blackout/rislive/source.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"
#include "ws_server.h"

namespace blackout::rislive {
namespace {

namespace fs = std::filesystem;
using blackout::testing::DataFile;
using blackout::testing::ReadFile;
using testing::WsServer;

const char* const kFiles[] = {"ris-live/morrowc-rislive/1k-msgs", "ris-live/morrowc-rislive/20-msg",
                              "ris-live/morrowc-rislive/fail-as-set",
                              "ris-live/libbgpstream/ris-live-stream.json"};

std::string PeerKey(std::string_view collector, const mrt::Element& e) {
  return std::string(collector) + "|" + e.peer_ip.ToString() + "|" + std::to_string(e.peer_as);
}

struct Replay {
  LineStats stats;
  std::map<std::string, uint64_t> per_peer;
  std::map<MessageKind, uint64_t> kinds;
  std::vector<LineProblem> problems;
  std::vector<std::string> errors;
};

Replay ReplayFile(const std::string& relative, bool prefer_raw) {
  Replay r;
  Parser parser(ParserOptions{.prefer_raw = prefer_raw});
  r.stats = ParseLines(
      parser, ReadFile(DataFile(relative)),
      [&](uint64_t, const Message& m) {
        ++r.kinds[m.kind];
        if (m.kind == MessageKind::kError) r.errors.push_back(m.error);
        for (const mrt::Element& e : m.elements) ++r.per_peer[PeerKey(m.collector, e)];
      },
      [&](const LineProblem& p) { r.problems.push_back(p); });
  return r;
}

TEST(RisLiveReplayTest, OneThousandMessages) {
  Replay raw = ReplayFile(kFiles[0], true);
  EXPECT_EQ(raw.stats.messages, 1000u);
  EXPECT_EQ(raw.stats.problems, 0u);
  EXPECT_EQ(raw.kinds[MessageKind::kUpdate], 994u);
  EXPECT_EQ(raw.kinds[MessageKind::kKeepalive], 6u);
  EXPECT_EQ(raw.stats.elements, 3181u);
  EXPECT_EQ(raw.per_peer.size(), 60u);  // of the 66 peers, 6 sent only KEEPALIVEs
  // The JSON fields and the raw BGP bytes are two renderings of each message: decoded
  // independently, they agree peer by peer.
  Replay json = ReplayFile(kFiles[0], false);
  EXPECT_EQ(json.per_peer, raw.per_peer);
}

TEST(RisLiveReplayTest, TwentyMessagesAndAsSet) {
  Replay raw = ReplayFile(kFiles[1], true);
  EXPECT_EQ(raw.stats.messages, 20u);
  EXPECT_EQ(raw.stats.problems, 0u);
  EXPECT_EQ(raw.kinds[MessageKind::kUpdate], 20u);
  EXPECT_EQ(ReplayFile(kFiles[1], false).per_peer, raw.per_peer);

  Replay set = ReplayFile(kFiles[2], true);
  EXPECT_EQ(set.stats.elements, 1u);
  EXPECT_EQ(set.per_peer, ReplayFile(kFiles[2], false).per_peer);
  EXPECT_EQ(set.per_peer.begin()->first, "rrc11|2001:504:1::a500:2497:1|2497");
}

TEST(RisLiveReplayTest, MixedStreamWithErrorAndCutLine) {
  Replay r = ReplayFile(kFiles[3], true);
  EXPECT_EQ(r.kinds[MessageKind::kUpdate], 1u);
  EXPECT_EQ(r.kinds[MessageKind::kPeerState], 1u);
  EXPECT_EQ(r.kinds[MessageKind::kOpen], 1u);
  EXPECT_EQ(r.kinds[MessageKind::kNotification], 1u);
  EXPECT_EQ(r.kinds[MessageKind::kKeepalive], 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], "this is a test error message");
  ASSERT_EQ(r.problems.size(), 1u);  // the last line is cut short
  EXPECT_EQ(r.problems[0].line, r.stats.lines);
  EXPECT_NE(r.problems[0].what.find("invalid JSON"), std::string::npos) << r.problems[0].what;
  EXPECT_EQ(r.per_peer["rrc01|195.66.224.59|24931"], 1u);  // the peer state change
}

// Counts what the Source hands over, per peer, and the gaps.
class CountingSink : public Sink {
 public:
  void Apply(std::string_view collector, std::span<const mrt::Element> elements) override {
    std::lock_guard lock(mu_);
    for (const mrt::Element& e : elements) ++per_peer_[PeerKey(collector, e)];
    total_ += elements.size();
  }
  void Gap(std::string_view what) override {
    std::lock_guard lock(mu_);
    gaps_.emplace_back(what);
  }
  void GapEnded(std::string_view) override {
    std::lock_guard lock(mu_);
    ++ended_;
  }
  int ended() {
    std::lock_guard lock(mu_);
    return ended_;
  }
  uint64_t total() {
    std::lock_guard lock(mu_);
    return total_;
  }
  std::map<std::string, uint64_t> per_peer() {
    std::lock_guard lock(mu_);
    return per_peer_;
  }
  std::vector<std::string> gaps() {
    std::lock_guard lock(mu_);
    return gaps_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, uint64_t> per_peer_;
  uint64_t total_ = 0;
  std::vector<std::string> gaps_;
  int ended_ = 0;
};

// Runs a Source against `url` until `done` holds (or 60 s pass), then stops it.
template <typename Done>
SourceStats RunSource(ClientOptions options, Sink& sink, Done done) {
  options.backoff_initial = std::chrono::milliseconds(100);
  options.backoff_max = std::chrono::milliseconds(400);
  options.connect_timeout = std::chrono::seconds(5);
  Source source(options, sink);
  std::thread t([&] { EXPECT_TRUE(source.Run().ok()); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done(source.stats()) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  source.Stop();
  t.join();
  return source.stats();
}

TEST(RisLiveClientTest, ReplayWithDroppedConnection) {
  blackout::testing::TempDir dir;
  std::vector<std::string> files(std::begin(kFiles), std::end(kFiles));
  WsServer server(dir, files, "--drop-after 300");
  ASSERT_GT(server.port(), 0);
  const nlohmann::json expect = server.expect();
  const uint64_t lines = expect["lines"];
  ClientOptions options;
  options.url = "ws://127.0.0.1:" + std::to_string(server.port()) + "/v1/ws/?client=blackout-test";
  options.filters.host = "rrc00";
  options.filters.prefix = "0.0.0.0/0";
  options.filters.type = "UPDATE";
  CountingSink sink;
  // Every line, plus one ris_subscribe_ok per connection.
  SourceStats s =
      RunSource(options, sink, [&](const SourceStats& st) { return st.messages >= lines + 2; });
  EXPECT_EQ(s.messages, lines + 2);
  EXPECT_EQ(s.connections, 2u);
  EXPECT_EQ(s.acknowledged, 2u);
  EXPECT_EQ(s.gaps, 1u);
  EXPECT_EQ(s.problems, expect["malformed"].get<uint64_t>());
  EXPECT_NE(s.last_problem.find("invalid JSON"), std::string::npos) << s.last_problem;
  EXPECT_EQ(s.ris_errors, expect["ris_errors"].get<uint64_t>());
  EXPECT_EQ(s.last_error, "this is a test error message");
  std::map<std::string, uint64_t> want;
  for (auto& [k, v] : expect["peers"].items()) want[k] = v.get<uint64_t>();
  EXPECT_EQ(sink.per_peer(), want);
  ASSERT_EQ(sink.gaps().size(), 1u);
  EXPECT_NE(sink.gaps()[0].find("connection 1 lost after"), std::string::npos) << sink.gaps()[0];
  EXPECT_EQ(sink.ended(), 1);  // the second connection ended the gap
  // Both subscriptions carried the filters (and asked for raw messages).
  auto subs = server.subscriptions();
  ASSERT_EQ(subs.size(), 2u);
  for (const auto& sub : subs) {
    EXPECT_EQ(sub["type"], "ris_subscribe");
    EXPECT_EQ(sub["data"]["host"], "rrc00");
    EXPECT_EQ(sub["data"]["prefix"], "0.0.0.0/0");
    EXPECT_EQ(sub["data"]["moreSpecific"], true);
    EXPECT_EQ(sub["data"]["type"], "UPDATE");
    EXPECT_EQ(sub["data"]["socketOptions"]["includeRaw"], true);
  }
}

TEST(RisLiveClientTest, OversizedMessageEndsTheConnectionNotTheClient) {
  blackout::testing::TempDir dir;
  WsServer server(dir, {kFiles[1]}, "--oversize-first 200000");
  ASSERT_GT(server.port(), 0);
  const uint64_t lines = server.expect()["lines"];
  ClientOptions options;
  options.url = "ws://127.0.0.1:" + std::to_string(server.port()) + "/";
  options.max_message_bytes = 64 * 1024;  // bounded: the 200 kB message is refused unread
  CountingSink sink;
  SourceStats s = RunSource(options, sink, [&](const SourceStats& st) {
    return st.messages >= lines + 2;  // both acknowledgements and every line of the 2nd connection
  });
  EXPECT_EQ(s.connections, 2u);
  EXPECT_EQ(s.messages, lines + 2);
  EXPECT_EQ(s.problems, 0u);
  EXPECT_NE(s.last_disconnect.find("exceeded the locally configured limit"), std::string::npos)
      << s.last_disconnect;
  EXPECT_EQ(s.gaps, 1u);
  EXPECT_EQ(sink.total(), 39u);
}

TEST(RisLiveClientTest, TlsWithTheTestsCertificate) {
  blackout::testing::TempDir dir;
  auto r = blackout::testing::RunCommand(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext "
      "subjectAltName=IP:127.0.0.1 -keyout '" +
      (dir / "key.pem").string() + "' -out '" + (dir / "cert.pem").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  WsServer server(
      dir, {kFiles[1], kFiles[2]},
      "--cert '" + (dir / "cert.pem").string() + "' --key '" + (dir / "key.pem").string() + "'");
  ASSERT_GT(server.port(), 0);
  const uint64_t lines = server.expect()["lines"];
  ClientOptions options;
  options.url = "wss://127.0.0.1:" + std::to_string(server.port()) + "/v1/ws/";
  options.ca_file = (dir / "cert.pem").string();
  CountingSink sink;
  SourceStats s =
      RunSource(options, sink, [&](const SourceStats& st) { return st.messages >= lines + 1; });
  EXPECT_EQ(s.messages, lines + 1);
  EXPECT_EQ(s.problems, 0u);
  EXPECT_EQ(s.gaps, 0u);
  uint64_t want = 0;
  const nlohmann::json expect = server.expect();
  for (auto& [k, v] : expect["peers"].items()) want += v.get<uint64_t>();
  EXPECT_EQ(want, 40u);
  EXPECT_EQ(sink.total(), want);

  // Without the test's certificate in the trust store, the handshake fails: nothing is read.
  ClientOptions untrusted = options;
  untrusted.ca_file.clear();
  CountingSink none;
  SourceStats u =
      RunSource(untrusted, none, [](const SourceStats& st) { return st.disconnects >= 2; });
  EXPECT_EQ(u.connections, 0u);
  EXPECT_EQ(u.messages, 0u);
  EXPECT_GE(u.disconnects, 2u);
  EXPECT_EQ(none.total(), 0u);
}

// docs/rislive.md "Gaps": the live view's bins from a source's Gap() to its GapEnded() are
// marked, closed and provisional, and the store learns the latest marked bin.
TEST(RisLiveGapTest, BinsDuringAGapAreMarked) {
  bgp::LiveView view(bgp::ViewOptions{.full_feed_v4 = 1}, nullptr, 300);
  const UnixSeconds t0 = 1700000100;  // inside the bin starting at 1700000100 - 100
  auto bins = view.Advance(t0);
  ASSERT_EQ(bins.size(), 1u);
  EXPECT_FALSE(bins[0].gap);
  view.Gap("ris-live: connection 1 lost");
  bins = view.Advance(t0 + 10);
  ASSERT_EQ(bins.size(), 1u);
  EXPECT_TRUE(bins[0].provisional && bins[0].gap);
  bins = view.Advance(t0 + 300);  // the gap's bin closes, the next opens inside the gap
  ASSERT_EQ(bins.size(), 2u);
  EXPECT_TRUE(bins[0].gap && !bins[0].provisional);
  EXPECT_TRUE(bins[1].gap && bins[1].provisional);
  view.GapEnded("ris-live: connection 2");
  bins = view.Advance(t0 + 600);  // the bin the gap ended in is marked; the next is not
  ASSERT_EQ(bins.size(), 2u);
  EXPECT_TRUE(bins[0].gap);
  EXPECT_FALSE(bins[1].gap);
  EXPECT_EQ(view.stats().gaps, 1u);
  store::WriteBatch batch;
  bgp::AddLiveBins(bins, 300, &batch);
  blackout::testing::TempDir dir;
  auto st = store::OpenStore("sqlite:" + (dir / "s.db").string());
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE((*st)->Apply(batch).ok());
  auto gap_bin = (*st)->GetState(bgp::kLiveGapKey);
  ASSERT_TRUE(gap_bin.ok());
  EXPECT_EQ(*gap_bin, std::to_string(bins[0].bin));
}

// docs/rislive.md "One view, no double counts": the archive names a RIS peer by its collector's
// folder ("rrc19"), RIS Live by host ("rrc19" or "rrc19.ripe.net"); both give the same
// (collector, peer address, peer AS), so the same session is one peer of the routing view.
TEST(RisLiveOneViewTest, ArchiveAndLiveCopiesOfASessionAreOnePeer) {
  blackout::testing::TempDir dir;
  const fs::path archived = dir / "rrc19/2019.05/updates.20190523.1400.gz";
  fs::create_directories(archived.parent_path());
  blackout::testing::WriteFile(archived, "");
  auto inputs = bgp::DescribeInputs({(dir / "rrc19").string()});
  ASSERT_TRUE(inputs.ok());
  ASSERT_EQ(inputs->size(), 1u);
  const std::string archive_collector = (*inputs)[0].collector;
  EXPECT_EQ(archive_collector, "rrc19");

  // The first message of 1k-msgs, as RIS Live sends it and as the archive stores it (the same
  // BGP message in a BGP4MP_MESSAGE_AS4 record).
  std::string line = ReadFile(DataFile(kFiles[0]));
  line = line.substr(0, line.find('\n'));
  Parser parser;
  auto m = parser.Parse(line);
  ASSERT_TRUE(m.ok());
  const std::string raw = nlohmann::json::parse(line)["data"]["raw"];
  std::vector<uint8_t> body;
  mrt::RecordDecoder decoder;
  std::vector<std::string> problems;
  std::span<const mrt::Element> archived_elements;
  ASSERT_TRUE(internal::DecodeRawUpdate(raw, (*m)->peer_ip, (*m)->peer_asn, (*m)->time, 0, &body,
                                        &decoder, &problems, &archived_elements)
                  .ok());

  bgp::RoutingView view(bgp::ViewOptions{.full_feed_v4 = 1, .full_feed_v6 = 1});
  auto apply = [&](std::string_view collector, std::span<const mrt::Element> elements) {
    for (const mrt::Element& e : elements) {
      view.Announce(view.Peer(collector, e.peer_ip, e.peer_as), e.prefix, std::vector<uint32_t>{});
    }
  };
  apply(archive_collector, archived_elements);
  apply((*m)->collector, (*m)->elements);
  // The same message from a RIS Live that names hosts in full.
  std::string full = line;
  full.replace(full.find("\"host\":\"rrc19\""), 14, "\"host\":\"rrc19.ripe.net\"");
  auto m2 = parser.Parse(full);
  ASSERT_TRUE(m2.ok());
  apply((*m2)->collector, (*m2)->elements);

  ASSERT_EQ(view.peers().size(), 1u);
  EXPECT_EQ(view.peers()[0].collector, "rrc19");
  EXPECT_EQ(view.peers()[0].v4_prefixes, 1u);
  bgp::Visibility v = view.Compute();
  EXPECT_EQ(v.full_feed_asns_v4, 1);
  EXPECT_EQ(v.total_v4[0], 1u);  // one /24, seen by one peer ASN, counted once
}

}  // namespace
}  // namespace blackout::rislive
