// Starts tests/rislive/ws_server.py (a RIS Live stand-in, python3-websockets) on loopback for one
// test and stops it afterwards.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "blackout/testing/testing.h"

namespace blackout::rislive::testing {

namespace fs = std::filesystem;
using blackout::testing::DataFile;
using blackout::testing::ReadFile;

// tests/rislive/ws_server.py serving `files` for the test's lifetime.
class WsServer {
 public:
  // Serves `files` (relative to BLACKOUT_DATA) with the server flags `extra`.
  WsServer(const blackout::testing::TempDir& dir, const std::vector<std::string>& files,
           const std::string& extra) {
    // Debian's python3 (python3-websockets), not another one first on the PATH.
    const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    std::string cmd = python + " '" +
                      (blackout::testing::SourceDir() / "tests/rislive/ws_server.py").string() +
                      "'";
    for (const auto& f : files) cmd += " '" + DataFile(f).string() + "'";
    port_file_ = dir / "port";
    subscribe_log_ = dir / "subscribe.log";
    expect_ = dir / "expect.json";
    cmd += " --port-file '" + port_file_.string() + "' --subscribe-log '" +
           subscribe_log_.string() + "' --expect '" + expect_.string() + "' --lifetime 120 " +
           extra + " >'" + (dir / "server.out").string() + "' 2>&1 & echo $! > '" +
           (dir / "pid").string() + "'";
    auto r = blackout::testing::RunCommand(cmd);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    pid_ = std::stoi(ReadFile(dir / "pid"));
    for (int i = 0; i < 400 && !fs::exists(port_file_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    EXPECT_TRUE(fs::exists(port_file_)) << ReadFile(dir / "server.out");
    if (fs::exists(port_file_)) port_ = std::stoi(ReadFile(port_file_));
  }
  ~WsServer() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
  }
  int port() const { return port_; }
  nlohmann::json expect() const { return nlohmann::json::parse(ReadFile(expect_)); }
  std::vector<nlohmann::json> subscriptions() const {
    std::vector<nlohmann::json> out;
    if (!fs::exists(subscribe_log_)) return out;
    std::string text = ReadFile(subscribe_log_);
    for (size_t pos = 0, nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1) {
      out.push_back(nlohmann::json::parse(text.substr(pos, nl - pos)));
    }
    return out;
  }

 private:
  fs::path port_file_, subscribe_log_, expect_;
  int pid_ = -1, port_ = 0;
};

}  // namespace blackout::rislive::testing
