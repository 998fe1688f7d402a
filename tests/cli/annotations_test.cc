// `blackout import annotations`, `blackout evaluate --annotations` and `blackout subscribe`
// through the built command (issue 22), on a store with a measured Kazakhstan and one detected
// event in January 2022, and Access Now's real #KeepItOn list.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout {
namespace {

using testing::BlackoutBinary;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunCommand;
using json = nlohmann::json;

class AnnotationsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = "sqlite:" + (dir_ / "s.db").string();
    auto st = store::OpenStore(url_);
    ASSERT_TRUE(st.ok());
    store::WriteBatch b;
    const UnixSeconds from = 1639958400, until = 1642636800;  // 2021-12-20 .. 2022-01-20
    for (UnixSeconds t = from; t < until; t += 3600) {
      b.AddPoint({"country/KZ", "probe", ""}, t, 100, 3600);
    }
    store::Event e;
    e.id = "country/KZ@1641379500";
    e.entity = "country/KZ";
    e.start = 1641379500;  // 2022-01-05 10:45
    e.end = 1641805200;
    e.depth = 0.05;
    e.signals = {"probe"};
    b.AddEvent(e);
    store::Event other = e;  // no list records this one
    other.id = "country/KZ@1642291200";
    other.start = 1642291200;  // 2022-01-16
    other.end = 1642300000;
    b.AddEvent(other);
    ASSERT_TRUE((*st)->Apply(b).ok());
  }
  std::string Cmd(const std::string& args) {
    return BlackoutBinary().string() + " " + args + " --store " + url_;
  }

  testing::TempDir dir_;
  std::string url_;
};

TEST_F(AnnotationsCliTest, ImportReportsMalformedRowsKeepsTheRestAndAgreementFindsKazakhstan) {
  const std::string list = testing::DataFile("events/keepiton-stop-2016-2025.csv").string();
  auto imp = RunCommand(Cmd("--json import annotations " + list + " --format keepiton"));
  EXPECT_EQ(imp.exit_code, 1) << imp.err;  // input problems found, the rest imported
  EXPECT_THAT(imp.err, HasSubstr("keepiton-stop-2016-2025.csv:866: end_date before start_date"));
  const json r = json::parse(imp.out);
  EXPECT_EQ(r["rows"], 2102);
  EXPECT_EQ(r["imported"], 2099);
  EXPECT_EQ(r["problems"].size(), 3u);
  // Again: the same records replaced, nothing added.
  EXPECT_EQ(RunCommand(Cmd("import annotations " + list + " --format keepiton")).exit_code, 1);

  auto ev = RunCommand(Cmd("--json evaluate --annotations"));
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  const json a = json::parse(ev.out);
  // KeepItOn's Kazakhstan records overlapping the measured span: 4-11 January 2022 is found.
  ASSERT_GE(a["found"].get<int>(), 1) << ev.out;
  bool kz = false;
  for (const json& f : a["foundOutages"]) {
    if (f["span"] == "from 4 to 11 January 2022") {
      kz = true;
      EXPECT_EQ(f["events"], json({"country/KZ@1641379500"}));
    }
  }
  EXPECT_TRUE(kz) << ev.out;
  EXPECT_EQ(a["unrecorded"], 1);
  EXPECT_EQ(a["unrecordedEvents"][0]["id"], "country/KZ@1642291200");
  EXPECT_GT(a["outsideCoverage"].get<int>(), 2000);
  auto table = RunCommand(Cmd("evaluate --annotations"));
  EXPECT_THAT(table.out, HasSubstr("found       keepiton:"));
  EXPECT_THAT(table.out, HasSubstr("unrecorded  country/KZ@1642291200"));

  auto bad = RunCommand(Cmd("import annotations " + list + " --format nonsense"));
  EXPECT_EQ(bad.exit_code, 2);
}

TEST_F(AnnotationsCliTest, SubscribeAddListRemoveNeverShowsTheSecret) {
  const std::string secret = "this-is-the-webhook-secret";
  testing::WriteFile(dir_ / "secret", secret + "\n");
  auto add = RunCommand(Cmd("--json subscribe add --url https://hooks.example/x --secret-file " +
                            (dir_ / "secret").string() +
                            " --entity country/kz --include-related --kind start"));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_THAT(add.out + add.err, Not(HasSubstr(secret)));
  const std::string id = json::parse(add.out)["id"];
  auto list = RunCommand(Cmd("--json subscribe list"));
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_THAT(list.out, Not(HasSubstr(secret)));
  EXPECT_EQ(json::parse(list.out)[0]["entities"], json({"country/KZ"}));
  // Validated on entry.
  auto no_secret = RunCommand("env -u BLACKOUT_WEBHOOK_SECRET " +
                              Cmd("subscribe add --url https://hooks.example/x"));
  EXPECT_EQ(no_secret.exit_code, 2);
  auto bad_kind = RunCommand(Cmd("subscribe add --url https://x --secret-file " +
                                 (dir_ / "secret").string() + " --kind party"));
  EXPECT_EQ(bad_kind.exit_code, 2);
  EXPECT_THAT(bad_kind.err, HasSubstr("unknown kind"));
  EXPECT_EQ(RunCommand(Cmd("subscribe remove " + id)).exit_code, 0);
  EXPECT_EQ(RunCommand(Cmd("subscribe remove " + id)).exit_code, 2);
  EXPECT_EQ(json::parse(RunCommand(Cmd("--json subscribe list")).out).size(), 0u);
  auto help = RunCommand(BlackoutBinary().string() + " subscribe add --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--secret-file"));
}

}  // namespace
}  // namespace blackout
