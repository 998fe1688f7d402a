// Trinocular's belief about one block (Quan, Heidemann, Pradkin, SIGCOMM 2013, section 3): B =
// P(up), updated by Bayes' rule on each probe outcome and capped so that no evidence is ever final.
// See docs/probe.md "Model". Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace blackout::probe {

enum class BlockState : uint8_t { kUp = 0, kDown = 1, kUncertain = 2 };
std::string_view BlockStateName(BlockState s);  // "UP", "DOWN", "UNCERTAIN"

struct BeliefParams {
  double floor = 0.01;             // belief cap, low
  double ceiling = 0.99;           // belief cap, high; also the initial belief
  double up_at = 0.9;              // UP when B >= up_at
  double down_at = 0.1;            // DOWN when B <= down_at
  double reply_if_down = 0.001;    // P(reply | down): "nearly impossible"
  double min_availability = 0.01;  // A is clamped to [min_availability, max_availability]
  double max_availability = 0.99;  //   when used as P(reply | up)
};

// B after one probe of a block with availability `a`.
double UpdateBelief(double belief, double availability, bool reply, const BeliefParams& p);

inline BlockState Classify(double belief, const BeliefParams& p) {
  if (belief >= p.up_at) return BlockState::kUp;
  if (belief <= p.down_at) return BlockState::kDown;
  return BlockState::kUncertain;
}

}  // namespace blackout::probe
