#include "blackout/testing/testing.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

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

}  // namespace blackout::testing
