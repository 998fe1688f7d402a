// Test helpers. Real data is read in place from BLACKOUT_DATA (default ../shared/data); a test that
// needs it fails loudly when it is missing, never passes silently.
#pragma once

#include <sys/types.h>

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

// `blackout run --config CONFIG` in the background, its stdout and stderr in files in `dir`;
// stopped with SIGTERM (SIGKILL after 30 s) on destruction. REQUIRES: `dir` outlives it.
class ServiceProcess {
 public:
  ServiceProcess(const TempDir& dir, const std::filesystem::path& config);
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;
  // The port once the service says it is ready (after ingest and detection); 0 if it did not
  // start or was not ready within 5 minutes.
  int WaitReady();
  // What it wrote to stdout and stderr so far.
  std::string Log() const;
  // Sends SIGTERM and waits up to 30 s: the wait status (WIFEXITED, ...), or -1 when it had to be
  // killed or was not running. The destructor does this if the test did not.
  int Stop();

 private:
  const TempDir& dir_;
  pid_t pid_ = 0;
};

// Writes DIR/c.toml for ServiceProcess: the shipped Kazakhstan scenario, data under DIR/data, geo
// off (no datasets needed), a free loopback port, sources polled hourly. Returns its path.
std::filesystem::path KazakhstanServiceConfig(const TempDir& dir);

}  // namespace blackout::testing
