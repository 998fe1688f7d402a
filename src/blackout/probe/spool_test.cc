// The vantage point's spool and uploader: entries survive a restart, a write the process did not
// finish and an entry truncated on disk are detected and never sent, failures are retried in
// order, and through the observatory's judge every round is counted exactly once.
#include "blackout/probe/spool.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "blackout/probe/multisite.h"
#include "blackout/probe/records.h"
#include "blackout/testing/testing.h"

namespace blackout::probe {
namespace {

namespace fs = std::filesystem;

// Records what it was sent; fails while `fail` says so.
class FakeTransport : public Transport {
 public:
  Status Post(const std::string& body) override {
    if (fail && fail(body)) return Unavailable("link down");
    sent.push_back(body);
    return Status::Ok();
  }
  std::function<bool(const std::string&)> fail;
  std::vector<std::string> sent;
};

TEST(Spool, KeepsEntriesInOrderAcrossARestart) {
  testing::TempDir dir;
  {
    auto s = Spool::Open(dir / "spool");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    for (const char* body : {"one\n", "two\n", "three\n"}) ASSERT_TRUE((*s)->Append(body).ok());
    ASSERT_TRUE((*s)->Remove(1).ok());
  }
  auto s = Spool::Open(dir / "spool");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->Pending(), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(*(*s)->Read(2), "two\n");
  auto seq = (*s)->Append("four\n");
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 4u);  // after every existing entry
}

TEST(Spool, ACrashMidWriteIsDetectedAndNeverSent) {
  testing::TempDir dir;
  const fs::path d = dir / "spool";
  {
    auto s = Spool::Open(d);
    ASSERT_TRUE(s.ok());
    for (const char* body : {"round-1\n", "round-2\n", "round-3\n"})
      ASSERT_TRUE((*s)->Append(body).ok());
  }
  // A process killed while writing entry 4 leaves its temporary file; a disk that lost the tail
  // of entry 3 leaves it short of the length its header gives.
  testing::WriteFile(d / "0000000000000004.up.tmp", "#blackout-spool v1 8 ");
  const fs::path third = d / "0000000000000003.up";
  const std::string whole = testing::ReadFile(third);
  testing::WriteFile(third, whole.substr(0, whole.size() - 3));
  auto s = Spool::Open(d);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->discarded(), 1u);
  EXPECT_FALSE(fs::exists(d / "0000000000000004.up.tmp"));
  auto bad = (*s)->Read(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kDataLoss);

  FakeTransport t;
  Uploader up(**s, t, "BLOCKS\n");
  ASSERT_TRUE(up.SendPending().ok());
  EXPECT_EQ(t.sent, (std::vector<std::string>{"BLOCKS\n", "round-1\n", "round-2\n"}));
  EXPECT_TRUE((*s)->Pending().empty());
  EXPECT_TRUE(fs::exists(d / "0000000000000003.up.bad"));
  EXPECT_EQ((*s)->discarded(), 2u);
  // Nothing is sent twice: a second pass and a restarted spool find nothing to send.
  ASSERT_TRUE(up.SendPending().ok());
  EXPECT_EQ(t.sent.size(), 3u);
  auto again = Spool::Open(d);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)->Pending().empty());
}

TEST(Uploader, RetriesInOrderAndResendsTheBlockListWhenAsked) {
  testing::TempDir dir;
  auto s = Spool::Open(dir / "spool");
  ASSERT_TRUE(s.ok());
  FakeTransport t;
  bool down = true;
  t.fail = [&](const std::string&) { return down; };
  Uploader up(**s, t, "BLOCKS\n");
  for (const char* body : {"r1\n", "r2\n"}) ASSERT_TRUE((*s)->Append(body).ok());
  EXPECT_FALSE(up.SendPending().ok());
  EXPECT_EQ((*s)->Pending().size(), 2u);
  down = false;
  ASSERT_TRUE(up.SendPending().ok());
  EXPECT_EQ(t.sent, (std::vector<std::string>{"BLOCKS\n", "r1\n", "r2\n"}));

  // An observatory that lost the block list answers kNotFound once: the list goes again first.
  class Forgetful : public Transport {
   public:
    Status Post(const std::string& body) override {
      if (body == "BLOCKS\n") has_blocks = true;
      if (!has_blocks) return NotFound("no block list");
      sent.push_back(body);
      return Status::Ok();
    }
    bool has_blocks = false;
    std::vector<std::string> sent;
  } forgetful;
  Uploader up2(**s, forgetful, "BLOCKS\n");
  ASSERT_TRUE((*s)->Append("r3\n").ok());
  ASSERT_TRUE(up2.SendPending().ok());
  EXPECT_EQ(forgetful.sent, (std::vector<std::string>{"BLOCKS\n", "r3\n"}));
}

// Spool -> uploader -> judge: the link fails for a stretch of rounds, every round still arrives
// exactly once and the combined series has a value for every round.
TEST(Uploader, ThroughTheJudgeNoGapNoDoubleCount) {
  testing::TempDir dir;
  auto st = store::OpenStore("sqlite:" + (dir / "s.db").string());
  ASSERT_TRUE(st.ok());
  MultiSiteJudge judge(**st);
  class ToJudge : public Transport {
   public:
    explicit ToJudge(MultiSiteJudge& j) : judge(j) {}
    Status Post(const std::string& body) override {
      if (down) return Unavailable("link down");
      auto r = judge.Ingest(body);
      if (!r.ok()) return r.status();
      if (ack_lost) return Unavailable("answer lost");  // stored, but the vantage never heard
      return Status::Ok();
    }
    MultiSiteJudge& judge;
    bool down = false, ack_lost = false;
  } link(judge);
  auto s = Spool::Open(dir / "spool");
  ASSERT_TRUE(s.ok());
  const uint32_t base = IpAddress::Parse("198.18.10.0")->v4();
  std::vector<uint32_t> bases = {base}, group = {0};
  std::string blocks = FormatBlockList(MakeBlockList("vp-1", bases, group, {{"country/XA"}}));
  Uploader up(**s, link, blocks);
  for (int i = 0; i < 8; ++i) {
    RoundReport r;
    r.index = i;
    r.start_ns = (1'700'000'000 + 10LL * i) * kNanosPerSecond;
    r.round_ns = 10 * kNanosPerSecond;
    r.counts.push_back({"country/XA", 1, 1});
    r.eligible = r.up = 1;
    ASSERT_TRUE((*s)->Append(std::string(kRecordsHeader) + "\n" + FormatRound(r, "vp-1")).ok());
    link.down = i >= 2 && i < 6;
    link.ack_lost = i == 6;
    (void)up.SendPending();
  }
  link.ack_lost = false;
  ASSERT_TRUE(up.SendPending().ok());
  EXPECT_TRUE((*s)->Pending().empty());
  ASSERT_TRUE(judge.Flush().ok());
  auto series = (*st)->ReadSeries({"country/XA", "probe", ""}, 0, INT64_MAX);
  ASSERT_TRUE(series.ok());
  EXPECT_EQ(series->values, std::vector<double>(8, 1.0));
  store::IngestQuery q;
  q.input_prefix = "probe-round:";
  auto ledger = (*st)->ListIngests(q);
  ASSERT_TRUE(ledger.ok());
  ASSERT_EQ(ledger->size(), 8u);
  for (const store::IngestRecord& rec : *ledger) EXPECT_EQ(rec.applications, 1) << rec.input;
}

TEST(Uploader, TheThreadDrainsTheSpool) {
  testing::TempDir dir;
  auto s = Spool::Open(dir / "spool");
  ASSERT_TRUE(s.ok());
  FakeTransport t;
  Uploader up(**s, t, "BLOCKS\n", {.min_backoff_ms = 10, .max_backoff_ms = 20});
  up.Start();
  for (const char* body : {"r1\n", "r2\n", "r3\n"}) {
    ASSERT_TRUE((*s)->Append(body).ok());
    up.Notify();
  }
  EXPECT_TRUE(up.Drain(30'000));
  up.Stop();
  EXPECT_EQ(t.sent, (std::vector<std::string>{"BLOCKS\n", "r1\n", "r2\n", "r3\n"}));
  EXPECT_EQ(up.stats().sent, 4u);
}

// The HTTP transport against a loopback server: status codes mapped as Uploader expects, the
// token sent, and an answer that does not name the round sent is no acknowledgement (the bug of
// the first version: over a kept-alive connection, the late answer to a request that had timed
// out was read as the answer to the next one, and that round was dropped from the spool unsent).
TEST(HttpTransport, MapsAnswersAndAcceptsOnlyTheAcknowledgementOfItsRound) {
  httplib::Server server;
  int status = 200;
  std::string answer, token;
  server.Post("/api/v2/admin/probe/upload",
              [&](const httplib::Request& req, httplib::Response& res) {
                token = req.get_header_value("Authorization");
                res.status = status;
                res.set_content(answer, "application/json");
              });
  const int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread serving([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto t = MakeHttpTransport("http://127.0.0.1:" + std::to_string(port), "tok", 2000);
  RoundReport r;
  r.start_ns = 1'700'000'020LL * kNanosPerSecond;
  r.round_ns = 20 * kNanosPerSecond;
  const std::string round = std::string(kRecordsHeader) + "\n" + FormatRound(r, "vp-1");
  answer = R"({"data":{"kind":"round","round":1700000000}})";  // another round's
  EXPECT_EQ(t->Post(round).code(), StatusCode::kUnavailable);
  answer = R"({"data":{"kind":"round","round":1700000020}})";
  EXPECT_TRUE(t->Post(round).ok());
  EXPECT_EQ(token, "Bearer tok");
  EXPECT_TRUE(t->Post("#blackout-probe-blocks v1\n").ok());  // a block list names no round
  status = 409;
  EXPECT_EQ(t->Post(round).code(), StatusCode::kNotFound);
  status = 400;
  EXPECT_EQ(t->Post(round).code(), StatusCode::kDataLoss);
  status = 401;
  EXPECT_EQ(t->Post(round).code(), StatusCode::kPermissionDenied);
  status = 503;
  EXPECT_EQ(t->Post(round).code(), StatusCode::kUnavailable);
  server.stop();
  serving.join();
  EXPECT_EQ(t->Post(round).code(), StatusCode::kUnavailable);  // nobody listening
}

}  // namespace
}  // namespace blackout::probe
