// Starts tests/bgp/archive_server.py on loopback for one test and stops it afterwards.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>

#include "blackout/testing/testing.h"

namespace blackout::bgp::testing {

class ArchiveServer {
 public:
  // REQUIRES: `dir` exists. `extra` are more server flags (fault injection).
  ArchiveServer(const std::filesystem::path& dir, const std::filesystem::path& work,
                const std::string& extra = "") {
    auto script = blackout::testing::SourceDir() / "tests/bgp/archive_server.py";
    port_file_ = work / "port";
    log_ = work / "server.log";
    auto pid_file = work / "server.pid";
    auto r = blackout::testing::RunCommand(
        "python3 '" + script.string() + "' --dir '" + dir.string() + "' --port-file '" +
        port_file_.string() + "' --log '" + log_.string() + "' --lifetime 120 " + extra + " >'" +
        (work / "server.out").string() + "' 2>&1 & echo $! > '" + pid_file.string() + "'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    pid_ = std::stoi(blackout::testing::ReadFile(pid_file));
    for (int i = 0; i < 200 && !std::filesystem::exists(port_file_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    port_ = std::stoi(blackout::testing::ReadFile(port_file_));
  }
  ~ArchiveServer() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return blackout::testing::ReadFile(log_); }

 private:
  std::filesystem::path port_file_, log_;
  int pid_ = -1;
  int port_ = 0;
};

}  // namespace blackout::bgp::testing
