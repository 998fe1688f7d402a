#include "blackout/base/progress.h"

#include <unistd.h>

#include <cmath>

namespace blackout {

Progress::Progress(std::string label, uint64_t total, std::string unit, bool enabled)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), enabled_(enabled) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

Progress::~Progress() { Finish(); }

bool Progress::StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

static std::string Human(double v) {
  char buf[32];
  if (v >= 1e9) std::snprintf(buf, sizeof buf, "%.1fG", v / 1e9);
  else if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.1fM", v / 1e6);
  else if (v >= 1e3) std::snprintf(buf, sizeof buf, "%.1fk", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string Progress::Render(double elapsed) const {
  std::string line = label_ + " ";
  if (total_ > 0) {
    double frac = std::min(1.0, double(done_) / double(total_));
    int width = 24, fill = static_cast<int>(std::lround(frac * width));
    line += "[" + std::string(fill, '#') + std::string(width - fill, '.') + "] ";
    line += std::to_string(done_) + "/" + std::to_string(total_) + " " + unit_;
    if (done_ > 0 && done_ < total_ && elapsed > 0) {
      double eta = elapsed / frac - elapsed;
      char buf[32];
      std::snprintf(buf, sizeof buf, " ETA %dm%02ds", int(eta) / 60, int(eta) % 60);
      line += buf;
    }
  } else {
    line += std::to_string(done_) + " " + unit_;
  }
  if (items_ > 0 && elapsed > 0) line += ", " + Human(double(items_) / elapsed) + "/s";
  if (!note_.empty()) line += "  " + note_;
  return line;
}

void Progress::Update(uint64_t done, uint64_t items, const std::string& note) {
  done_ = done;
  items_ = items;
  note_ = note;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100) && done_ != total_) return;
  last_draw_ = now;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r\033[K%s", Render(elapsed).c_str());
  std::fflush(stderr);
}

void Progress::Finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "\r\033[K%s\n", Render(elapsed).c_str());
}

}  // namespace blackout
