#include "blackout/server/metrics.h"

#include <cstdio>

namespace blackout::server {
namespace {

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void Metrics::ObserveRequest(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::SetGauge(const std::string& name, const std::string& help, double value) {
  std::lock_guard lock(mu_);
  gauges_[name] = {help, value};
}

void Metrics::AddCounter(const std::string& name, const std::string& help, double delta) {
  std::lock_guard lock(mu_);
  Value& v = counters_[name];
  v.help = help;
  v.value += delta;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP blackout_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE blackout_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out += "blackout_http_requests_total{route=\"" + key.first + "\",code=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP blackout_http_request_duration_seconds Time to answer a request, by route.\n";
  out += "# TYPE blackout_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    std::string base = "blackout_http_request_duration_seconds";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += base + "_bucket{route=\"" + route + "\",le=\"" + Num(kBuckets[i]) + "\"} " +
             std::to_string(h.buckets[i]) + "\n";
    }
    out += base + "_bucket{route=\"" + route + "\",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    out += base + "_sum{route=\"" + route + "\"} " + Num(h.sum) + "\n";
    out += base + "_count{route=\"" + route + "\"} " + std::to_string(h.count) + "\n";
  }
  for (const auto& [name, v] : gauges_) {
    out += "# HELP " + name + " " + v.help + "\n# TYPE " + name + " gauge\n";
    out += name + " " + Num(v.value) + "\n";
  }
  for (const auto& [name, v] : counters_) {
    out += "# HELP " + name + " " + v.help + "\n# TYPE " + name + " counter\n";
    out += name + " " + Num(v.value) + "\n";
  }
  return out;
}

}  // namespace blackout::server
