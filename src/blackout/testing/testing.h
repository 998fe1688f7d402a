// Test helpers. Real data is read in place from BLACKOUT_DATA (default ../shared/data); a test that
// needs it fails loudly when it is missing, never passes silently.
#pragma once

#include <filesystem>
#include <string>

namespace blackout::testing {

// The shared data folder; ADD_FAILURE()s and returns the path anyway if it does not exist.
std::filesystem::path DataDir();
// DataDir() / relative, failing the test if the file is missing.
std::filesystem::path DataFile(const std::string& relative);
std::filesystem::path SourceDir();
std::filesystem::path BinaryDir();
// Path of the built `blackout` executable.
std::filesystem::path BlackoutBinary();

// A fresh temporary directory removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;  // -1 if killed by a signal
  std::string out;     // stdout
  std::string err;     // stderr
};
// Runs `command` with /bin/sh, capturing stdout and stderr.
CommandResult RunCommand(const std::string& command);

std::string ReadFile(const std::filesystem::path& path);
void WriteFile(const std::filesystem::path& path, const std::string& contents);

}  // namespace blackout::testing
