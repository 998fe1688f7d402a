#include "blackout/base/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace blackout::log {
namespace {
std::atomic<Level> g_level{Level::kInfo};
std::mutex g_mu;
std::function<void(Level, std::string_view)> g_sink;  // guarded by g_mu

const char* Prefix(Level l) {
  switch (l) {
    case Level::kDebug: return "debug: ";
    case Level::kInfo: return "";
    case Level::kWarning: return "warning: ";
    case Level::kError: return "error: ";
    case Level::kQuiet: return "";
  }
  return "";
}
}  // namespace

void SetLevel(Level level) { g_level = level; }
Level GetLevel() { return g_level; }

void SetSink(std::function<void(Level, std::string_view)> sink) {
  std::lock_guard lock(g_mu);
  g_sink = std::move(sink);
}

void Write(Level level, std::string_view message) {
  std::lock_guard lock(g_mu);
  if (g_sink) {
    g_sink(level, message);
    return;
  }
  std::fprintf(stderr, "blackout: %s%.*s\n", Prefix(level), static_cast<int>(message.size()),
               message.data());
}

}  // namespace blackout::log
