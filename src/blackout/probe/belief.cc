#include "blackout/probe/belief.h"

#include <algorithm>

namespace blackout::probe {

std::string_view BlockStateName(BlockState s) {
  switch (s) {
    case BlockState::kUp:
      return "UP";
    case BlockState::kDown:
      return "DOWN";
    case BlockState::kUncertain:
      return "UNCERTAIN";
  }
  return "?";
}

double UpdateBelief(double b, double a, bool reply, const BeliefParams& p) {
  a = std::clamp(a, p.min_availability, p.max_availability);
  double if_up = reply ? a : 1.0 - a;
  double if_down = reply ? p.reply_if_down : 1.0 - p.reply_if_down;
  double num = if_up * b;
  double next = num / (num + if_down * (1.0 - b));
  return std::clamp(next, p.floor, p.ceiling);
}

}  // namespace blackout::probe
