// Application-blocking events from the stored OONI series (series.h): an application is blocked
// in an entity when its measurements say so beyond chance. OONI's measurements are few (a handful
// per country and hour) and each test has false positives (a probe's flaky network, a changed
// certificate), so a single "blocked" proves little: over a trailing window (24 h), with K blocked
// out of N measurements that gave a verdict (failed ones excluded), the share blocked must exceed
// a false-positive rate p0 with confidence: the Wilson score interval's lower bound at z (one-sided
// 95%: 1.645) above p0 (0.2), and K >= 2. docs/ooni.md, "Events".
//
// Events are written to the store (signals {"app-blocking"}, method "ooni-wilson", id
// "ooni:ENTITY@START"), one per entity and stretch of time, naming the applications and methods
// in `extra` (JSON: {"apps":[{"app","methods","blocked","measurements","lower_bound","from",
// "until"}], "p0", "z", "attribution"}). The connectivity detector's events of the same entity are
// joined to them when read (AppBlockingBefore): "app-blocking, then packets-filtered".
// Thread-safety: pure functions; DetectAppBlocking reads and writes the (thread-safe) store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/ooni/measurement.h"
#include "blackout/store/types.h"

namespace blackout::store {
class Store;
}

namespace blackout::ooni {

inline constexpr std::string_view kEventMethod = "ooni-wilson";
inline constexpr std::string_view kOoniAttribution =
    "OONI Probe measurements (Open Observatory of Network Interference), CC BY-NC-SA 4.0";

struct AppEventOptions {
  int64_t window = 86400;  // trailing window the counts are pooled over, seconds
  double p0 = 0.2;         // false-positive rate the blocked share must exceed
  double z = 1.645;        // one-sided 95%
  int64_t min_blocked = 2;
  int64_t merge_gap = 86400;  // one entity's app runs closer than this are one event
};

// Wilson score interval's lower bound for k successes out of n (0 when n == 0).
double WilsonLower(int64_t k, int64_t n, double z);

// One bin of one application in one entity.
struct AppBin {
  UnixSeconds time = 0;
  int64_t measured = 0, blocked = 0, failed = 0;
  std::vector<Method> methods;  // methods seen among the blocked measurements
};

// A stretch during which one application was found blocked in one entity.
struct AppRun {
  std::string app;
  UnixSeconds from = 0, until = 0;  // first and last blocked bin (until = its end)
  int64_t blocked = 0, measurements = 0;
  double lower_bound = 0;  // the largest window lower bound within the run
  std::vector<Method> methods;
};

// The runs of one application's bins (in time order), `step` apart at least.
std::vector<AppRun> FindRuns(const std::string& app, const std::vector<AppBin>& bins, int64_t step,
                             const AppEventOptions& options);

// Merges one entity's runs into events (see above).
std::vector<store::Event> EventsFromRuns(const std::string& entity, std::vector<AppRun> runs,
                                         const AppEventOptions& options);

struct AppEventSummary {
  uint64_t entities = 0, events = 0;
};

// Reads the series of every entity (or of `entities` only, when not empty), finds the events and
// writes them (replacing events with the same id). Errors: store errors.
Result<AppEventSummary> DetectAppBlocking(store::Store& store, const AppEventOptions& options = {},
                                          const std::vector<std::string>& entities = {});

// What an app-blocking event says, read back from its `extra`.
struct AppBlocking {
  struct App {
    std::string app;
    std::vector<std::string> methods;  // "DNS", "TCP/IP", ...
    int64_t blocked = 0, measurements = 0;
    double lower_bound = 0;
    UnixSeconds from = 0, until = 0;
  };
  std::vector<App> apps;
};
bool IsAppBlockingEvent(const store::Event& e);
Result<AppBlocking> ReadAppBlocking(const store::Event& e);

// The app-blocking events of `outage`'s entity that began before it and were still on within
// `lead` seconds of its start (the first shot before the blackout), in time order.
std::vector<const store::Event*> AppBlockingBefore(const store::Event& outage,
                                                   const std::vector<store::Event>& events,
                                                   int64_t lead = 3 * 86400);

// "app-blocking, then packets-filtered" (technique names); just the outage's technique when no
// app-blocking precedes it.
std::string TechniqueSequence(const store::Event& outage,
                              const std::vector<const store::Event*>& before);

// For the read model: each connectivity event that app-blocking of its entity preceded (as
// AppBlockingBefore) gains in its extra (a JSON object; other keys kept) "techniqueSequence"
// ("app-blocking, then packets-filtered") and "precededBy" (the app-blocking events' ids, in
// time order). Events with nothing before them are left as they are. O(events) per entity.
void JoinAppBlocking(std::vector<store::Event>* events, int64_t lead = 3 * 86400);

// "Telegram and WhatsApp were found blocked (TCP/IP, HTTP) by OONI Probe measurements" for
// reports and feeds; "" when the event carries no applications.
std::string AppBlockingSentence(const store::Event& e);
// "Telegram", "WhatsApp", "Facebook Messenger", "web sites", "Tor", ...
std::string AppLabel(std::string_view app);

}  // namespace blackout::ooni
