// notify_match [SUBSCRIPTIONS] [EVENTS]: builds SUBSCRIPTIONS subscriptions (default 10,000) over
// 250 countries, 2,500 regions and 20,000 ASNs (a third with include-related, 0.2% with no
// entity, a quarter with filters) and EVENTS events (default 2,000: a country's pass after a large
// outage touches its regions and networks) with three phases each, then times, on this thread
// (CPU time), (1) building the index and matching every notice, and (2) the same matching by a
// linear scan of every subscription (the peer). Prints both and checks they agree.
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "blackout/notify/notice.h"
#include "blackout/notify/subscription.h"

namespace {

using namespace blackout;

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string Country(int i) {
  return std::string(1, static_cast<char>('A' + i / 26 % 26)) +
         std::string(1, static_cast<char>('A' + i % 26));
}

std::vector<std::string> Parents(const std::string& e) {
  // region/CC-N and asn/N: their country (asn/N's is N % 250).
  if (e.rfind("region/", 0) == 0) return {"country/" + e.substr(7, 2)};
  if (e.rfind("asn/", 0) == 0) return {"country/" + Country(std::atoi(e.c_str() + 4) % 250)};
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  const int nsubs = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int nevents = argc > 2 ? std::atoi(argv[2]) : 2000;
  std::mt19937_64 rng(42);
  auto entity = [&](std::mt19937_64& r) {
    const int kind = static_cast<int>(r() % 10);
    if (kind < 3) return "country/" + Country(static_cast<int>(r() % 250));
    if (kind < 6) {
      return "region/" + Country(static_cast<int>(r() % 250)) + "-" + std::to_string(r() % 10);
    }
    return "asn/" + std::to_string(1 + r() % 20000);
  };
  std::vector<notify::Subscription> subs(static_cast<size_t>(nsubs));
  for (int i = 0; i < nsubs; ++i) {
    notify::Subscription& s = subs[static_cast<size_t>(i)];
    s.id = "sub-" + std::to_string(i);
    s.url = "https://hooks.example/" + std::to_string(i);
    s.secret = "0123456789abcdef";
    const int r = static_cast<int>(rng() % 100);
    const bool everything = rng() % 1000 < 2;
    if (!everything) s.entities = {entity(rng)};
    if (!everything && r < 33) s.include_related = true;
    if (r % 4 == 0) s.min_drop = 0.5;
    if (r % 7 == 0) s.kinds = {notify::NoticeKind::kStart};
    if (r % 11 == 0) s.signals = {"bgp"};
  }
  std::vector<store::Event> events(static_cast<size_t>(nevents));
  for (int i = 0; i < nevents; ++i) {
    store::Event& e = events[static_cast<size_t>(i)];
    e.entity = entity(rng);
    e.start = 1641340800 + i * 60;
    e.end = e.start + 7200;
    e.depth = static_cast<double>(rng() % 100) / 100;
    e.signals = {rng() % 2 ? "bgp" : "probe"};
    e.phases = {{store::Phase::kNearTotalBlackout, e.start, e.start + 3600, 0.05},
                {store::Phase::kPartialRecovery, e.start + 3600, e.end, 0.6}};
  }
  const std::vector<notify::Notice> notices = notify::NoticesOf(events);

  double t0 = CpuSeconds();
  notify::SubscriptionIndex index(subs, Parents);
  std::vector<uint32_t> m;
  size_t indexed = 0;
  for (const notify::Notice& n : notices) {
    index.Match(n, &m);
    indexed += m.size();
  }
  const double t_index = CpuSeconds() - t0;

  // The peer: every subscription against every notice (the same rules, no index).
  t0 = CpuSeconds();
  size_t scanned = 0;
  for (const notify::Notice& n : notices) {
    const std::vector<std::string> parents = Parents(n.event->entity);
    for (uint32_t i = 0; i < subs.size(); ++i) {
      const notify::Subscription& s = subs[i];
      bool entity_ok = s.entities.empty();
      for (const std::string& e : s.entities) {
        entity_ok =
            entity_ok || e == n.event->entity ||
            (s.include_related && std::find(parents.begin(), parents.end(), e) != parents.end());
      }
      if (!entity_ok) continue;
      if (!s.kinds.empty() && std::find(s.kinds.begin(), s.kinds.end(), n.kind) == s.kinds.end())
        continue;
      if (!s.signals.empty() && s.signals[0] != n.event->signals[0]) continue;
      if (s.min_drop > 0 && !(n.event->depth <= 1 - s.min_drop)) continue;
      ++scanned;
    }
  }
  const double t_scan = CpuSeconds() - t0;
  std::printf(
      "subscriptions=%d events=%d notices=%zu deliveries=%zu\n"
      "index (build + match): %.2f ms CPU\nlinear scan (peer):    %.2f ms CPU  (%.0fx)\n",
      nsubs, nevents, notices.size(), indexed, t_index * 1e3, t_scan * 1e3, t_scan / t_index);
  if (indexed != scanned) {
    std::fprintf(stderr, "MISMATCH: index %zu vs scan %zu\n", indexed, scanned);
    return 1;
  }
  return 0;
}
