// Progress reporting for long work: a one-line bar on stderr when stderr is a terminal, nothing
// otherwise (so logs and CI output stay clean). Not thread-safe: drive it from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace blackout {

class Progress {
 public:
  // `total` may be 0 when unknown (then no ETA is shown). `unit` names what is counted ("files").
  Progress(std::string label, uint64_t total, std::string unit, bool enabled = StderrIsTerminal());
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Sets the absolute amount done; `items` is a secondary rate counter (e.g. elements), may be 0.
  void Update(uint64_t done, uint64_t items = 0, const std::string& note = "");
  void Finish();

  static bool StderrIsTerminal();
  // The line the bar would print, for tests.
  std::string Render(double elapsed_seconds) const;

 private:
  std::string label_, unit_, note_;
  uint64_t total_, done_ = 0, items_ = 0;
  bool enabled_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace blackout
