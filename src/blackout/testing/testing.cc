#include "blackout/testing/testing.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace blackout::testing {
namespace fs = std::filesystem;

static fs::path EnvOr(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return fs::path(v && *v ? v : fallback);
}

fs::path DataDir() {
  fs::path p = EnvOr("BLACKOUT_DATA", BLACKOUT_DATA_DEFAULT);
  if (!fs::is_directory(p)) {
    ADD_FAILURE() << "real test data not found at " << p
                  << " (set BLACKOUT_DATA to the shared/data folder)";
  }
  return p;
}

fs::path DataFile(const std::string& relative) {
  fs::path p = DataDir() / relative;
  if (!fs::exists(p)) ADD_FAILURE() << "missing test data file " << p;
  return p;
}

fs::path SourceDir() { return EnvOr("BLACKOUT_SOURCE_DIR", BLACKOUT_SOURCE_DIR_DEFAULT); }
fs::path BinaryDir() { return EnvOr("BLACKOUT_BINARY_DIR", BLACKOUT_BINARY_DIR_DEFAULT); }
fs::path BlackoutBinary() { return BinaryDir() / "src" / "cli" / "blackout"; }

TempDir::TempDir() {
  std::random_device rd;
  for (int i = 0; i < 100; ++i) {
    fs::path p = fs::temp_directory_path() / ("blackout-test-" + std::to_string(rd()));
    std::error_code ec;
    if (fs::create_directory(p, ec)) {
      path_ = p;
      return;
    }
  }
  ADD_FAILURE() << "cannot create a temporary directory";
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
}

CommandResult RunCommand(const std::string& command) {
  TempDir tmp;
  fs::path out = tmp / "out", err = tmp / "err";
  std::string full = "(" + command + ") >'" + out.string() + "' 2>'" + err.string() + "'";
  int rc = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary);
  out << contents;
}

ServiceProcess::ServiceProcess(const TempDir& dir, const std::filesystem::path& config)
    : dir_(dir) {
  const std::string bin = BlackoutBinary().string();
  const std::string out = (dir / "stdout").string(), err = (dir / "stderr").string();
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> args = {bin, "run", "--config", config.string()};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (posix_spawn(&pid_, bin.c_str(), &fa, nullptr, argv.data(), environ) != 0) pid_ = 0;
  posix_spawn_file_actions_destroy(&fa);
}

ServiceProcess::~ServiceProcess() { Stop(); }

int ServiceProcess::Stop() {
  if (pid_ <= 0) return -1;
  const pid_t pid = pid_;
  pid_ = 0;
  kill(pid, SIGTERM);
  int status = 0;
  for (int i = 0; i < 300; ++i) {
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

int ServiceProcess::WaitReady() {
  static const std::regex kReady(R"(ready in .* at http://127\.0\.0\.1:(\d+)/)");
  for (int i = 0; i < 3000 && pid_ > 0; ++i) {
    std::smatch m;
    const std::string text = ReadFile(dir_ / "stdout");
    if (std::regex_search(text, m, kReady)) return std::stoi(m[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return 0;
}

std::string ServiceProcess::Log() const {
  return ReadFile(dir_ / "stdout") + ReadFile(dir_ / "stderr");
}

std::filesystem::path KazakhstanServiceConfig(const TempDir& dir) {
  const std::filesystem::path config = dir / "c.toml";
  WriteFile(config, "[data]\ndir = \"" + (dir / "data").string() + "\"\n[scenario]\nfile = \"" +
                        (SourceDir() / "scenarios/kazakhstan-2022.toml").string() +
                        "\"\n[geo]\nenabled = false\n[server]\nlisten = "
                        "\"127.0.0.1:0\"\n[sources]\npoll_seconds = 3600\n");
  return config;
}

}  // namespace blackout::testing
