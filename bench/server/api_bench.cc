// Time to answer API requests over loopback (keep-alive), which bounds the server time from above:
// one entity's 30 days of signals at native resolution (3 signals x 8,640 bins), the outage
// summary, and a report (rendered, and from the cache). The data have the Kazakhstan scenario's
// shape (entities, events) but are generated here so the benchmark needs no store.
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <cmath>
#include <cstdlib>

#include "blackout/detect/config.h"
#include "blackout/server/api.h"
#include "blackout/service/snapshot.h"

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
    std::vector<Series> list;
    for (const char* ds : {"bgp", "ping-slash24", "traffic"}) {
      Series s{"country", "KZ", ds, kFrom, 300, {}};
      for (int i = 0; i < 288 * 45; ++i) s.values.push_back(1000 + 100 * std::sin(i / 45.0));
      list.push_back(std::move(s));
    }
    // The detector's expected values, as the service's snapshot attaches them.
    service::AttachExpected({&list[0], &list[1], &list[2]}, detect::DefaultConfig());
    for (Series& s : list) m->PutSeries(std::move(s));
    std::vector<Event> events;
    for (int i = 0; i < 40; ++i) {
      Event e;
      e.entity = "asn/" + std::to_string(64500 + i);
      e.signals = {"probe"};
      e.start = kFrom + 86400 * (i % 30);
      e.end = e.start + 7200;
      e.score = 100.0 + i;
      e.depth = 0.1;
      e.technique = store::Technique::kPacketsFiltered;
      events.push_back(std::move(e));
    }
    Event national;
    national.entity = "country/KZ";
    national.start = kFrom + 86400 * 5 + 37800;
    national.end = kFrom + 86400 * 11 + 8100;
    national.score = 5000;
    national.depth = 0.05;
    national.technique = store::Technique::kPacketsFiltered;
    national.signals = {"probe"};
    for (int i = 0; i < 10; ++i) national.related.push_back("asn/" + std::to_string(64500 + i));
    national.phases = {{store::Phase::kNearTotalBlackout, national.start, national.end, 0.05}};
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

// GETs `path` once per iteration, failing the benchmark on any answer but 200.
void GetRepeatedly(benchmark::State& state, const std::string& path) {
  for (auto _ : state) {
    auto r = F().client().Get(path.c_str());
    if (!r || r->status != 200) state.SkipWithError("request failed");
  }
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

// Server time (ms) of the signals route so far in this process: the API's latency histogram.
double SignalsServerMs() {
  auto m = F().client().Get("/metrics");
  if (!m) return 0;
  auto value = [&](const std::string& key) {
    auto at = m->body.find(key);
    return at == std::string::npos ? 0.0 : std::atof(m->body.c_str() + at + key.size());
  };
  double sum = value("blackout_http_request_duration_seconds_sum{route=\"signals\"} ");
  double count = value("blackout_http_request_duration_seconds_count{route=\"signals\"} ");
  return count > 0 ? sum / count * 1000 : 0;
}

// The same 30 days rendered afresh on every request (the window moves by a bin each time, so the
// per-generation cache never answers), without and with the detector's expected values
// (state.range(0)): the cost of rendering them. Server time is the mean over this benchmark's
// requests only (histogram difference).
void BM_Signals30DaysUncached(benchmark::State& state) {
  const bool expected = state.range(0) != 0;
  double ms0 = SignalsServerMs();
  int64_t shift = 0, n = 0;
  size_t bytes = 0;
  auto count = [] {
    auto m = F().client().Get("/metrics");
    const std::string key = "blackout_http_request_duration_seconds_count{route=\"signals\"} ";
    auto at = m ? m->body.find(key) : std::string::npos;
    return at == std::string::npos ? 0.0 : std::atof(m->body.c_str() + at + key.size());
  };
  double c0 = count();
  for (auto _ : state) {
    shift += 300;
    std::string path = "/api/v2/signals/raw/country/KZ?from=" + std::to_string(kFrom + shift) +
                       "&until=" + std::to_string(kFrom + shift + 30 * 86400) +
                       (expected ? "&expected=true" : "");
    auto r = F().client().Get(path.c_str());
    if (!r || r->status != 200) state.SkipWithError("request failed");
    bytes = r->body.size();
    ++n;
  }
  double c1 = count(), ms1 = SignalsServerMs();
  state.counters["body_bytes"] = static_cast<double>(bytes);
  if (c1 > c0) state.counters["server_ms_mean"] = (ms1 * c1 - ms0 * c0) / (c1 - c0);
}
BENCHMARK(BM_Signals30DaysUncached)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// The dashboard's request (expected values, maxPoints=4000), repeated: from the cache.
void BM_Signals30DaysExpectedCached(benchmark::State& state) {
  std::string path = "/api/v2/signals/raw/country/KZ?from=" + std::to_string(kFrom) +
                     "&until=" + std::to_string(kFrom + 30 * 86400) +
                     "&expected=true&maxPoints=4000";
  GetRepeatedly(state, path);
}
BENCHMARK(BM_Signals30DaysExpectedCached)->Unit(benchmark::kMillisecond);

// What the snapshot pays per data generation: the detector over one entity's 45 days of three
// signals at 300 s (38,880 bins).
void BM_AttachExpected45Days(benchmark::State& state) {
  std::vector<Series> list = Data().GetSeries("country", "KZ", "", 0, INT64_MAX);
  std::vector<Series*> ptrs;
  for (Series& s : list) ptrs.push_back(&s);
  const detect::DetectConfig config = detect::DefaultConfig();
  for (auto _ : state) {
    service::AttachExpected(ptrs, config);
    benchmark::DoNotOptimize(list[0].expected.data());
  }
  state.counters["bins_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * 3 * 288 * 45, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AttachExpected45Days)->Unit(benchmark::kMillisecond);

void BM_Signals30DaysMaxPoints500(benchmark::State& state) {
  std::string path = "/api/v2/signals/raw/country/KZ?from=" + std::to_string(kFrom) +
                     "&until=" + std::to_string(kFrom + 30 * 86400) + "&maxPoints=500";
  GetRepeatedly(state, path);
}
BENCHMARK(BM_Signals30DaysMaxPoints500)->Unit(benchmark::kMillisecond);

void BM_Summary(benchmark::State& state) {
  std::string path = "/api/v2/outages/summary?from=" + std::to_string(kFrom) +
                     "&until=" + std::to_string(kFrom + 40 * 86400);
  GetRepeatedly(state, path);
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
  GetRepeatedly(state, path);
}
BENCHMARK(BM_ReportCached)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace blackout::server

BENCHMARK_MAIN();
