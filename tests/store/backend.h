// Opens a fresh, empty store of a named backend for one test: "sqlite" (a file in a temp dir),
// "clickhouse" (a new database on the shared test server) or "clickhouse_cluster" (a new database
// on the shared 2 x 2 test cluster). The same suites run on all of them.
#pragma once

#include <memory>
#include <string>

#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::store::testing {

class TestStore {
 public:
  // ADD_FAILURE()s (the test fails, never skips) if the backend cannot be started.
  explicit TestStore(const std::string& backend);
  const std::string& url() const { return url_; }
  Store* store() { return store_.get(); }
  Store* operator->() { return store_.get(); }
  // Opens another handle on the same database (as another process would).
  Result<std::unique_ptr<Store>> Reopen(const OpenOptions& options = {}) const;

 private:
  blackout::testing::TempDir dir_;
  std::string url_;
  std::unique_ptr<Store> store_;
};

// "sqlite:..." or "clickhouse:http://127.0.0.1:PORT/DB" for a fresh database; "" and a test
// failure if the backend is unavailable.
std::string FreshStoreUrl(const std::string& backend, const blackout::testing::TempDir& dir);

}  // namespace blackout::store::testing
