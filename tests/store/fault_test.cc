// Faults: `kill -9` in the middle of `blackout import series` then the same command again (nothing
// lost, nothing counted twice); a locked database; a read-only file system; a full disk; an
// unreachable ClickHouse. Each must give a clear error and leave no partial state for readers.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <random>
#include <thread>

#include "backend.h"
#include "blackout/store/internal/clickhouse_http.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"
#include "clickhouse_server.h"

namespace blackout::store {
namespace {

namespace fs = std::filesystem;
using blackout::testing::BlackoutBinary;
using blackout::testing::RunCommand;
using blackout::testing::TempDir;
using ::testing::AnyOf;
using ::testing::HasSubstr;

constexpr UnixSeconds kT0 = 1641340800;

// entity,signal,timestamp,value rows: `series` series of `bins` bins; value = f(series, bin).
double Value(int s, int i) { return s * 1000.0 + i * 0.5; }
std::string MakeCsv(int series, int bins) {
  std::string out = "entity,signal,timestamp,value\n";
  out.reserve(static_cast<size_t>(series) * bins * 40);
  for (int s = 0; s < series; ++s) {
    std::string prefix = "asn/" + std::to_string(64500 + s) + ",probe,";
    for (int i = 0; i < bins; ++i) {
      out += prefix + std::to_string(kT0 + 300 * i) + "," + std::to_string(Value(s, i)) + "\n";
    }
  }
  return out;
}

std::string Import(const fs::path& file, const std::string& url) {
  return BlackoutBinary().string() + " import series '" + file.string() +
         "' --format csv --store '" + url + "'";
}

// Starts the import and SIGKILLs it after `delay`; returns true if it was killed (false if it
// had already finished).
bool ImportAndKill(const fs::path& file, const std::string& url, std::chrono::microseconds delay) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    std::string bin = BlackoutBinary().string();
    std::string f = file.string();
    ::execl(bin.c_str(), bin.c_str(), "import", "series", f.c_str(), "--format", "csv", "--store",
            url.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::this_thread::sleep_for(delay);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFSIGNALED(status);
}

void ExpectImported(Store* store, const std::string& input, int series, int bins) {
  auto rec = store->GetIngest(input);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->applications, 1);  // applied once, however many runs were killed
  EXPECT_EQ(rec->points, int64_t{series} * bins);
  auto infos = store->ListSeries(SeriesFilter{.entity_type = "asn"});
  ASSERT_TRUE(infos.ok());
  ASSERT_EQ(infos->size(), static_cast<size_t>(series));
  for (int s = 0; s < series; s += 7) {
    auto got =
        store->ReadSeries(SeriesKey{"asn/" + std::to_string(64500 + s), "probe", ""}, 0, INT64_MAX);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->values.size(), static_cast<size_t>(bins));
    ASSERT_EQ(got->present(), static_cast<size_t>(bins));
    for (int i = 0; i < bins; i += 97) EXPECT_DOUBLE_EQ(got->values[i], Value(s, i));
  }
}

class KillTest : public ::testing::TestWithParam<std::string> {};

TEST_P(KillTest, KilledImportsRerunToExactlyOneApplication) {
  constexpr int kSeries = 60, kBins = 2000;  // 120k rows
  TempDir dir;
  fs::path file = dir / "big.csv";
  blackout::testing::WriteFile(file, MakeCsv(kSeries, kBins));
  std::string input = "import:" + fs::absolute(file).lexically_normal().string();

  // How long a clean import takes here, to spread the kills over it.
  std::chrono::microseconds clean{0};
  {
    TempDir ref_dir;
    std::string url = testing::FreshStoreUrl(GetParam(), ref_dir);
    auto start = std::chrono::steady_clock::now();
    auto r = RunCommand(Import(file, url));
    clean = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  start);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::mt19937 rng(std::random_device{}());
  int killed = 0;
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    TempDir store_dir;
    std::string url = testing::FreshStoreUrl(GetParam(), store_dir);
    // Two kills at random points, then the command again, to completion.
    for (int k = 0; k < 2; ++k) {
      std::uniform_int_distribution<int64_t> at(0, clean.count());
      killed += ImportAndKill(file, url, std::chrono::microseconds(at(rng))) ? 1 : 0;
    }
    auto r = RunCommand(Import(file, url));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto again = RunCommand(Import(file, url));
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_THAT(again.err, HasSubstr("already imported"));
    auto store = OpenStore(url);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ExpectImported(store->get(), input, kSeries, kBins);
  }
  EXPECT_GT(killed, 0) << "no run was killed before it finished";
}

INSTANTIATE_TEST_SUITE_P(Backends, KillTest, ::testing::Values("sqlite", "clickhouse"),
                         [](const auto& info) { return info.param; });

WriteBatch SmallBatch(const std::string& input, double v) {
  WriteBatch b;
  b.SetInput(input, "hash-" + input);
  for (int i = 0; i < 10; ++i) b.AddPoint(SeriesKey{"country/KZ", "bgp", ""}, kT0 + 300 * i, v);
  return b;
}

TEST(SqliteFaults, LockedDatabaseGivesAClearErrorAndReadersStillRead) {
  TempDir dir;
  std::string path = (dir / "b.db").string();
  OpenOptions opt;
  opt.busy_timeout_ms = 200;
  auto store = OpenStore("sqlite:" + path, opt);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Apply(SmallBatch("first", 1)).ok());

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto r = (*store)->Apply(SmallBatch("second", 2));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("locked"));
  // Readers are not blocked and see the state before the failed batch.
  auto s = (*store)->ReadSeries(SeriesKey{"country/KZ", "bgp", ""}, 0, INT64_MAX);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->values[0], 1);
  EXPECT_EQ((*store)->GetIngest("second").status().code(), StatusCode::kNotFound);

  // The CLI reports it as a runtime failure (exit 3) with the reason.
  blackout::testing::WriteFile(dir / "x.csv", "country/KZ,bgp,1641340800,5\n");
  auto cli = RunCommand(Import(dir / "x.csv", "sqlite:" + path));
  EXPECT_EQ(cli.exit_code, 3);
  EXPECT_THAT(cli.err, HasSubstr("locked"));

  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_TRUE((*store)->Apply(SmallBatch("second", 2)).ok());
}

// A tmpfs mounted for one test (we run as root), unmounted on destruction.
class TmpfsMount {
 public:
  TmpfsMount(const fs::path& at, const std::string& size) : at_(at) {
    fs::create_directories(at);
    std::string opts = "size=" + size;
    ok_ = ::mount("tmpfs", at.c_str(), "tmpfs", 0, opts.c_str()) == 0;
    if (!ok_) ADD_FAILURE() << "cannot mount a tmpfs at " << at << ": " << std::strerror(errno);
  }
  ~TmpfsMount() {
    if (ok_) ::umount2(at_.c_str(), MNT_DETACH);
  }
  bool Remount(unsigned long flags, const std::string& size) {
    std::string opts = "size=" + size;
    return ::mount("tmpfs", at_.c_str(), "tmpfs", MS_REMOUNT | flags, opts.c_str()) == 0;
  }
  bool ok() const { return ok_; }

 private:
  fs::path at_;
  bool ok_ = false;
};

TEST(SqliteFaults, FullDiskFailsTheBatchWholeAndLeavesEarlierDataReadable) {
  TempDir dir;
  TmpfsMount mnt(dir / "small", "1m");
  ASSERT_TRUE(mnt.ok());
  std::string url = "sqlite:" + (dir / "small" / "b.db").string();
  {
    auto store = OpenStore(url);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Apply(SmallBatch("small", 1)).ok());
  }
  // ~3 MB of points cannot fit in 1 MiB.
  blackout::testing::WriteFile(dir / "big.csv", MakeCsv(30, 2000));
  auto r = RunCommand(Import(dir / "big.csv", url));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, AnyOf(HasSubstr("full"), HasSubstr("disk")));

  auto store = OpenStore(url);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto infos = (*store)->ListSeries(SeriesFilter{.entity_type = "asn"});
  ASSERT_TRUE(infos.ok());
  EXPECT_TRUE(infos->empty());  // nothing of the failed import is visible
  auto s = (*store)->ReadSeries(SeriesKey{"country/KZ", "bgp", ""}, 0, INT64_MAX);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->present(), 10u);
  store->reset();

  // With room, the same command succeeds.
  ASSERT_TRUE(mnt.Remount(0, "64m"));
  auto ok = RunCommand(Import(dir / "big.csv", url));
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST(SqliteFaults, DatabaseSizeLimitActsLikeAFullDisk) {
  TempDir dir;
  std::string url = "sqlite:" + (dir / "b.db").string();
  OpenOptions opt;
  opt.max_page_count = 64;  // 256 KiB with 4 KiB pages
  auto store = OpenStore(url, opt);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Apply(SmallBatch("small", 1)).ok());
  WriteBatch big;
  big.SetInput("big", "h");
  for (int s = 0; s < 50; ++s) {
    for (int i = 0; i < 1000; ++i) {
      big.AddPoint(SeriesKey{"asn/" + std::to_string(s + 1), "bgp", ""}, kT0 + 300 * i, i);
    }
  }
  auto r = (*store)->Apply(big);
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
  EXPECT_THAT(r.status().message(), HasSubstr("full"));
  EXPECT_EQ((*store)->GetIngest("big").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE((*store)->ListSeries(SeriesFilter{.entity_type = "asn"})->empty());
  // The store is still usable for small writes.
  EXPECT_TRUE((*store)->Apply(SmallBatch("small2", 2)).ok());
}

TEST(SqliteFaults, ReadOnlyFileSystemRefusesWritesButServesReads) {
  TempDir dir;
  TmpfsMount mnt(dir / "ro", "8m");
  ASSERT_TRUE(mnt.ok());
  std::string url = "sqlite:" + (dir / "ro" / "b.db").string();
  {
    auto store = OpenStore(url);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Apply(SmallBatch("small", 1)).ok());
  }
  ASSERT_TRUE(mnt.Remount(MS_RDONLY, "8m"));

  auto writable = OpenStore(url);
  ASSERT_FALSE(writable.ok());
  EXPECT_THAT(writable.status().code(), AnyOf(StatusCode::kPermissionDenied, StatusCode::kIoError));
  EXPECT_THAT(writable.status().message(), AnyOf(HasSubstr("read-only"), HasSubstr("readonly")));

  OpenOptions ro;
  ro.read_only = true;
  auto reader = OpenStore(url, ro);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto s = (*reader)->ReadSeries(SeriesKey{"country/KZ", "bgp", ""}, 0, INT64_MAX);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->present(), 10u);
  EXPECT_EQ((*reader)->Apply(SmallBatch("x", 1)).status().code(), StatusCode::kPermissionDenied);

  auto cli = RunCommand(BlackoutBinary().string() +
                        " export series --entity country/KZ --format csv --store '" + url + "'");
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_THAT(cli.out, HasSubstr("country/KZ,bgp,1641340800,1"));
  blackout::testing::WriteFile(dir / "x.csv", "country/KZ,bgp,1641340800,5\n");
  auto imp = RunCommand(Import(dir / "x.csv", url));
  EXPECT_EQ(imp.exit_code, 3);
  EXPECT_THAT(imp.err, AnyOf(HasSubstr("read-only"), HasSubstr("readonly")));
}

TEST(ClickHouseFaults, UnreachableServerIsAClearRuntimeFailure) {
  int port = testing::FreePort();  // nothing listens there
  std::string url = "clickhouse:http://127.0.0.1:" + std::to_string(port) + "/blackout";
  auto store = OpenStore(url);
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(store.status().message(), HasSubstr("unreachable"));

  TempDir dir;
  blackout::testing::WriteFile(dir / "x.csv", "country/KZ,bgp,1641340800,5\n");
  auto cli = RunCommand(Import(dir / "x.csv", url));
  EXPECT_EQ(cli.exit_code, 3);
  EXPECT_THAT(cli.err, HasSubstr("unreachable"));
}

TEST(ClickHouseFaults, ServerGoingAwayFailsTheBatchAndItCanBeAppliedLater) {
  testing::ClickHouseServer server;
  std::string error = server.Start();
  ASSERT_EQ(error, "");
  std::string url = "clickhouse:" + server.http_base() + "/blackout";
  auto store = OpenStore(url);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Apply(SmallBatch("first", 1)).ok());
  server.Stop();
  auto r = (*store)->Apply(SmallBatch("second", 2));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("unreachable"));
  auto read = (*store)->ReadSeries(SeriesKey{"country/KZ", "bgp", ""}, 0, INT64_MAX);
  EXPECT_EQ(read.status().code(), StatusCode::kUnavailable);
}

TEST(SqliteSchema, NewerDatabaseIsRefusedAndOlderIsMigrated) {
  TempDir dir;
  std::string path = (dir / "b.db").string();
  {
    auto store = OpenStore("sqlite:" + path);
    ASSERT_TRUE(store.ok());
    EXPECT_EQ((*store)->SchemaVersion().value_or(0), 4);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto newer = OpenStore("sqlite:" + path);
  EXPECT_EQ(newer.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(newer.status().message(), HasSubstr("newer"));

  // A version-1 database (before event_related existed) with an event in it.
  std::string old_path = (dir / "v1.db").string();
  ASSERT_EQ(sqlite3_open(old_path.c_str(), &db), SQLITE_OK);
  const char* v1 = R"sql(
    CREATE TABLE series(id INTEGER PRIMARY KEY, entity TEXT NOT NULL, signal TEXT NOT NULL,
      source TEXT NOT NULL, step INTEGER NOT NULL, first INTEGER, last INTEGER, last_time INTEGER,
      last_value REAL, UNIQUE(entity, signal, source));
    CREATE TABLE points(series INTEGER NOT NULL, t INTEGER NOT NULL, v REAL,
      PRIMARY KEY(series, t)) WITHOUT ROWID;
    CREATE TABLE alerts(entity TEXT NOT NULL, signal TEXT NOT NULL, source TEXT NOT NULL,
      method TEXT NOT NULL, t INTEGER NOT NULL, step INTEGER NOT NULL, level INTEGER NOT NULL,
      value REAL, expected REAL, condition TEXT NOT NULL, extra TEXT NOT NULL,
      PRIMARY KEY(entity, signal, source, method, t)) WITHOUT ROWID;
    CREATE INDEX alerts_by_time ON alerts(t);
    CREATE TABLE events(id TEXT PRIMARY KEY, entity TEXT NOT NULL, start INTEGER NOT NULL,
      end INTEGER, depth REAL, score REAL, signals TEXT NOT NULL, phases TEXT NOT NULL,
      technique TEXT NOT NULL, related TEXT NOT NULL, method TEXT NOT NULL, extra TEXT NOT NULL);
    CREATE INDEX events_by_entity ON events(entity, start);
    CREATE INDEX events_by_start ON events(start);
    CREATE TABLE ingest(input TEXT PRIMARY KEY, hash TEXT NOT NULL, state INTEGER NOT NULL,
      detail TEXT NOT NULL, applied_at INTEGER NOT NULL, points INTEGER NOT NULL,
      applications INTEGER NOT NULL);
    CREATE TABLE state(key TEXT PRIMARY KEY, value BLOB);
    INSERT INTO events VALUES('e1', 'country/KZ', 1641378600, 1641381300, 0.05, 10, '["probe"]',
      '[]', 'packets-filtered', '["region/KZ-ALA","asn/9198"]', 'm', '');
    PRAGMA user_version=1;
  )sql";
  ASSERT_EQ(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
  auto migrated = OpenStore("sqlite:" + old_path);
  ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
  EXPECT_EQ((*migrated)->SchemaVersion().value_or(0), 4);
  auto related = (*migrated)->QueryEvents(EventQuery{.related_to = "asn/9198"});
  ASSERT_TRUE(related.ok()) << related.status().ToString();
  ASSERT_EQ(related->items.size(), 1u);
  EXPECT_EQ(related->items[0].id, "e1");
}

TEST(ClickHouseSchema, Version1DatabaseIsMigratedAndLatestValuesBackFilled) {
  std::string error;
  testing::ClickHouseServer* server = testing::ClickHouseServer::Shared(&error);
  ASSERT_NE(server, nullptr) << error;
  std::string url = "clickhouse:" + server->http_base() + "/migrate_" + std::to_string(::getpid());
  {
    auto store = OpenStore(url);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    WriteBatch b;
    b.AddPoint(SeriesKey{"country/KZ", "bgp", ""}, kT0, 5);
    b.AddPoint(SeriesKey{"country/KZ", "bgp", ""}, kT0 + 300, 6);
    b.AddPoint(SeriesKey{"country/KZ", "bgp", ""}, kT0 + 600, kMissing);
    ASSERT_TRUE((*store)->Apply(b).ok());
  }
  // Turn it back into a version-1 database: no latest-value columns, version 1.
  internal::HttpClient http(server->http_base(), 10000);
  std::string db = url.substr(url.rfind('/') + 1);
  for (std::string sql :
       {"ALTER TABLE " + db +
            ".series DROP COLUMN last_t, DROP COLUMN last_v, DROP COLUMN has_last",
        "DROP TABLE " + db + ".schema_version",
        "CREATE TABLE " + db +
            ".schema_version (version UInt32, applied Int64) ENGINE = MergeTree() ORDER BY version",
        "INSERT INTO " + db + ".schema_version VALUES (1, 0)"}) {
    auto r = http.Run(sql);
    ASSERT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
  }
  auto store = OpenStore(url);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->SchemaVersion().value_or(0), 2);
  auto latest = (*store)->Latest(SeriesFilter{});
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ((*latest)[0].time, kT0 + 300);
  EXPECT_EQ((*latest)[0].value, 6);
  EXPECT_EQ((*latest)[0].step, 300);
}

}  // namespace
}  // namespace blackout::store
