// Leveled logging to stderr (or an injected sink). The level is process-wide but set once at start-up
// by the CLI; the sink is guarded by a mutex so any thread may log.
#pragma once

#include <functional>
#include <sstream>
#include <string>
#include <string_view>

namespace blackout::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kQuiet = 4 };

void SetLevel(Level level);
Level GetLevel();
// Replaces the sink (default: stderr). Passing nullptr restores stderr. For tests.
void SetSink(std::function<void(Level, std::string_view)> sink);
void Write(Level level, std::string_view message);

namespace internal {
template <typename... Args>
std::string Concat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace internal

template <typename... Args>
void Debug(const Args&... a) {
  if (GetLevel() <= Level::kDebug) Write(Level::kDebug, internal::Concat(a...));
}
template <typename... Args>
void Info(const Args&... a) {
  if (GetLevel() <= Level::kInfo) Write(Level::kInfo, internal::Concat(a...));
}
template <typename... Args>
void Warn(const Args&... a) {
  if (GetLevel() <= Level::kWarning) Write(Level::kWarning, internal::Concat(a...));
}
template <typename... Args>
void Error(const Args&... a) {
  if (GetLevel() <= Level::kError) Write(Level::kError, internal::Concat(a...));
}

}  // namespace blackout::log
