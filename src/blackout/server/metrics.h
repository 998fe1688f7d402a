// Prometheus metrics for the service: request counts and latency per route (recorded by the API),
// and gauges the pipeline sets (ingest lag, bins processed, alerts). Rendered in the Prometheus
// text exposition format. Thread-safety: every method may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace blackout::server {

class Metrics {
 public:
  // Records one answered request. `route` is the route pattern name ("signals", "summary", ...).
  void ObserveRequest(const std::string& route, int status, double seconds);
  // Sets a gauge (created on first use). `name` must be a valid Prometheus metric name.
  void SetGauge(const std::string& name, const std::string& help, double value);
  // Adds to a counter (created on first use).
  void AddCounter(const std::string& name, const std::string& help, double delta);

  std::string Render() const;

 private:
  static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,  0.1,    0.5,   1.0};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  struct Value {
    std::string help;
    double value = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;  // (route, status) -> count
  std::map<std::string, Histogram> latency_;                  // route -> histogram
  std::map<std::string, Value> gauges_;
  std::map<std::string, Value> counters_;
};

}  // namespace blackout::server
