#include "backend.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>

#include "clickhouse_cluster.h"
#include "clickhouse_server.h"

namespace blackout::store::testing {

std::string FreshStoreUrl(const std::string& backend, const blackout::testing::TempDir& dir) {
  if (backend == "sqlite") return "sqlite:" + (dir / "store" / "blackout.db").string();
  if (backend == "clickhouse") {
    std::string error;
    ClickHouseServer* server = ClickHouseServer::Shared(&error);
    if (!server) {
      ADD_FAILURE() << "ClickHouse backend tests need a local server: " << error;
      return "";
    }
    static std::atomic<int> counter{0};
    return "clickhouse:" + server->http_base() + "/blackout_test_" + std::to_string(::getpid()) +
           "_" + std::to_string(counter++);
  }
  if (backend == "clickhouse_cluster") {
    std::string error;
    ClickHouseCluster* cluster = ClickHouseCluster::Shared(&error);
    if (!cluster) {
      ADD_FAILURE() << "ClickHouse cluster tests need ZooKeeper and clickhouse-server: " << error;
      return "";
    }
    static std::atomic<int> counter{0};
    return cluster->Url("blackout_ctest_" + std::to_string(::getpid()) + "_" +
                        std::to_string(counter++));
  }
  ADD_FAILURE() << "unknown backend " << backend;
  return "";
}

TestStore::TestStore(const std::string& backend) : url_(FreshStoreUrl(backend, dir_)) {
  if (url_.empty()) return;
  auto s = OpenStore(url_);
  if (!s.ok()) {
    ADD_FAILURE() << "cannot open " << url_ << ": " << s.status().ToString();
    return;
  }
  store_ = std::move(s).value();
}

Result<std::unique_ptr<Store>> TestStore::Reopen(const OpenOptions& options) const {
  return OpenStore(url_, options);
}

}  // namespace blackout::store::testing
