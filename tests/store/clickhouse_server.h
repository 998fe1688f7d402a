// Starts Debian's clickhouse-server on loopback for the tests: a temporary directory holds its
// config, data and logs; a free port is chosen; the server is stopped (by its pid) on destruction.
// A missing clickhouse-server is a test failure, never a skip: scripts/setup.sh installs it.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "blackout/testing/testing.h"

namespace blackout::store::testing {

class ClickHouseServer {
 public:
  ClickHouseServer() = default;
  ~ClickHouseServer();
  ClickHouseServer(const ClickHouseServer&) = delete;
  ClickHouseServer& operator=(const ClickHouseServer&) = delete;

  // Starts the server and waits until it answers /ping. Returns "" on success, else why not.
  std::string Start();
  void Stop();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int http_port() const { return http_port_; }
  // "http://127.0.0.1:PORT"
  std::string http_base() const;

  // The process-wide server shared by every test of one binary (started on first use).
  static ClickHouseServer* Shared(std::string* error);

 private:
  std::unique_ptr<blackout::testing::TempDir> dir_;
  pid_t pid_ = -1;
  int http_port_ = 0;
};

// A free TCP port on 127.0.0.1 (bound and released).
int FreePort();

}  // namespace blackout::store::testing
