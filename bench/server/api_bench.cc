// Time to answer API requests over loopback (keep-alive), which bounds the server time from above:
// one entity's 30 days of signals at native resolution (3 signals x 8,640 bins), the outage
// summary, and a report (rendered, and from the cache). The data have the Kazakhstan scenario's
// shape (entities, events) but are generated here so the benchmark needs no store.
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <cmath>
#include <cstdlib>

#include "blackout/server/api.h"

namespace blackout::server {
namespace {

constexpr UnixSeconds kFrom = 1638316800;  // 2021-12-01

MemoryData& Data() {
  static MemoryData* d = [] {
    auto* m = new MemoryData();
    std::vector<Entity> ents = {{"country", "KZ", "Kazakhstan", {}, {}}};
    for (int i = 0; i < 40; ++i) {
      ents.push_back(
          {"asn", std::to_string(64500 + i), "AS " + std::to_string(i), {"country/KZ"}, {}});
    }
    m->ReplaceEntities(ents);
    for (const char* ds : {"bgp", "ping-slash24", "traffic"}) {
      Series s{"country", "KZ", ds, kFrom, 300, {}};
      for (int i = 0; i < 288 * 45; ++i) s.values.push_back(1000 + 100 * std::sin(i / 45.0));
      m->PutSeries(s);
    }
    std::vector<Event> events;
    for (int i = 0; i < 40; ++i) {
      events.push_back({"asn", std::to_string(64500 + i), "ping-slash24", kFrom + 86400 * (i % 30),
                        kFrom + 86400 * (i % 30) + 7200, 100.0 + i, 0.1, "packets-filtered"});
    }
    Event national;
    national.entity_type = "country";
    national.entity_code = "KZ";
    national.datasource = "ping-slash24";
    national.start = kFrom + 86400 * 5 + 37800;
    national.end = kFrom + 86400 * 11 + 8100;
    national.score = 5000;
    national.depth = 0.05;
    national.technique = national.method = "packets-filtered";
    national.signals = {"probe"};
    for (int i = 0; i < 10; ++i) national.related.push_back("asn/" + std::to_string(64500 + i));
    national.phases = {{"near-total-blackout", national.start, national.end, 0.05}};
    events.push_back(national);
    m->ReplaceEvents(events);
    return m;
  }();
  return *d;
}

class Fixture {
 public:
  Fixture() {
    ServerOptions o;
    o.port = 0;
    o.threads = 4;
    server_ = std::make_unique<ApiServer>(Data(), o);
    if (!server_->Start().ok()) std::abort();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_keep_alive(true);
    client_->set_tcp_nodelay(true);
  }
  httplib::Client& client() { return *client_; }

 private:
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

Fixture& F() {
  static Fixture* f = new Fixture();
  return *f;
}

void BM_Signals30Days(benchmark::State& state) {
  std::string path = "/api/v2/signals/raw/country/KZ?from=" + std::to_string(kFrom) +
                     "&until=" + std::to_string(kFrom + 30 * 86400);
  size_t bytes = 0;
  for (auto _ : state) {
    auto r = F().client().Get(path.c_str());
    if (!r || r->status != 200) state.SkipWithError("request failed");
    bytes = r->body.size();
  }
  state.counters["body_bytes"] = static_cast<double>(bytes);
  // Server time: the API's own latency histogram (sum / count) for this route.
  auto m = F().client().Get("/metrics");
  if (m) {
    auto value = [&](const std::string& key) {
      auto at = m->body.find(key);
      return at == std::string::npos ? 0.0 : std::atof(m->body.c_str() + at + key.size());
    };
    double sum = value("blackout_http_request_duration_seconds_sum{route=\"signals\"} ");
    double count = value("blackout_http_request_duration_seconds_count{route=\"signals\"} ");
    if (count > 0) state.counters["server_ms_mean"] = sum / count * 1000;
  }
}
BENCHMARK(BM_Signals30Days)->Unit(benchmark::kMillisecond);

void BM_Signals30DaysMaxPoints500(benchmark::State& state) {
  std::string path = "/api/v2/signals/raw/country/KZ?from=" + std::to_string(kFrom) +
                     "&until=" + std::to_string(kFrom + 30 * 86400) + "&maxPoints=500";
  for (auto _ : state) {
    auto r = F().client().Get(path.c_str());
    if (!r || r->status != 200) state.SkipWithError("request failed");
  }
}
BENCHMARK(BM_Signals30DaysMaxPoints500)->Unit(benchmark::kMillisecond);

void BM_Summary(benchmark::State& state) {
  std::string path = "/api/v2/outages/summary?from=" + std::to_string(kFrom) +
                     "&until=" + std::to_string(kFrom + 40 * 86400);
  for (auto _ : state) {
    auto r = F().client().Get(path.c_str());
    if (!r || r->status != 200) state.SkipWithError("request failed");
  }
}
BENCHMARK(BM_Summary)->Unit(benchmark::kMicrosecond);

// A report over 12 days rendered from scratch (Markdown + 1200x600 PNG chart): every iteration
// asks for a different window, so the cache never answers.
void BM_ReportRender(benchmark::State& state) {
  int64_t shift = 0;
  for (auto _ : state) {
    shift += 300;
    std::string path = "/api/v2/reports/country/KZ?from=" + std::to_string(kFrom + shift) +
                       "&until=" + std::to_string(kFrom + shift + 12 * 86400);
    auto r = F().client().Get(path.c_str());
    if (!r || r->status != 200) state.SkipWithError("request failed");
  }
}
BENCHMARK(BM_ReportRender)->Unit(benchmark::kMillisecond);

// The same report again: answered from the cache.
void BM_ReportCached(benchmark::State& state) {
  std::string path = "/api/v2/reports/country/KZ?from=" + std::to_string(kFrom) +
                     "&until=" + std::to_string(kFrom + 12 * 86400);
  for (auto _ : state) {
    auto r = F().client().Get(path.c_str());
    if (!r || r->status != 200) state.SkipWithError("request failed");
  }
}
BENCHMARK(BM_ReportCached)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace blackout::server

BENCHMARK_MAIN();
