// Webhook delivery: after each detection pass the service hands the store's events to
// Notifier::OnPass, which finds the notices (notice.h) not seen before, matches them against the
// subscriptions (subscription.h) and queues one delivery per (subscription, notice) in the store
// (records "webhook-queue"), marking the notices seen in the same write: a restart of `run` loses
// no queued delivery, and a crash between queueing and marking only queues the same deliveries
// again under the same keys (at-least-once, deduplicated by the idempotency key).
//
// Delivery runs on the Notifier's own threads (at most `max_connections` at once, each POST with
// connect and total timeouts), so a slow, stalled or garbage-answering receiver never holds up
// ingest or detection. Each delivery is a JSON POST signed with HMAC-SHA256 (OpenSSL):
//
//   X-Blackout-Delivery: <idempotency key, the same on every retry>
//   X-Blackout-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// A 2xx answer delivers it; anything else (an error status, a timeout, a broken answer) is retried
// with exponential back-off until `max_attempts`, then given up. Every outcome is recorded
// (records "webhook-log", the last attempt's status and error). docs/notify.md.
// Thread-safety: OnPass from one thread; Start/Stop from the owner; Stats from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/notify/subscription.h"
#include "blackout/store/types.h"

namespace blackout::store {
class Store;
}

namespace blackout::notify {

inline constexpr std::string_view kQueueKind = "webhook-queue";
inline constexpr std::string_view kLogKind = "webhook-log";
inline constexpr std::string_view kSeenKind = "notice-seen";

// "t=<t>,v1=<hex>" for `body` signed at time `t` with `secret`.
std::string SignatureHeader(std::string_view secret, int64_t t, std::string_view body);

struct EventProvenance {
  bool simulation = false;
  std::string attribution;  // "BGP routing data from ...; ..." (report::Provenance::Attribution)
};

struct NotifierOptions {
  int max_connections = 4;
  int connect_timeout_ms = 3000;
  int timeout_ms = 10000;
  int max_attempts = 12;
  int64_t backoff_initial_ms = 1000;   // then doubled each attempt
  int64_t backoff_max_ms = 3'600'000;  // an hour
  // The service's public base URL for the links in payloads ("" = none).
  std::string base_url;
  // What an event was measured from, for its payload's "provenance" (docs/notify.md): whether the
  // data are a SIMULATION, and the attribution of the sources behind the event's signals. Unset:
  // the payload says "provenance unknown" rather than nothing.
  std::function<EventProvenance(const store::Event&)> provenance;
  ParentsFn parents = DefaultParents;
  std::function<int64_t()> now_ms;  // wall clock by default; injectable for tests
  // Delivery log entries (kLogKind) older than this are deleted at Start, so the log does not
  // grow without bound; 0 keeps them all. The seen notices are kept: they stop re-notifying.
  int log_retention_days = 90;
};

// A queued delivery (the stored record's value, JSON).
struct Delivery {
  std::string key;  // idempotency key: "<subscription id>/<notice id>"
  std::string subscription;
  std::string url;  // the subscription's receiver when queued
  std::string notice;
  std::string body;  // the JSON payload, fixed when queued
  int attempts = 0;
  int64_t next_ms = 0;  // when it is due
  int64_t created_ms = 0;
  std::string outcome;  // "pending", "delivered", "failed"
  int last_status = 0;  // HTTP status of the last attempt (0: none)
  std::string last_error;
};

struct NotifierStats {
  uint64_t queued = 0, delivered = 0, failed = 0, attempts = 0, pending = 0;
};

struct PassNotices {
  size_t notices = 0;     // new notices this pass
  size_t deliveries = 0;  // queued
};

class Notifier {
 public:
  Notifier(store::Store& store, NotifierOptions options);
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Loads the queue and the seen notices from the store and starts the delivery threads.
  Status Start();
  // Matching and queueing only (no network): see above. `events`: every event in the store.
  Result<PassNotices> OnPass(const std::vector<store::Event>& events);
  // The provenance of the next passes' payloads (the service sets it from its snapshot before
  // each OnPass). Call from OnPass's thread.
  void SetProvenance(std::function<EventProvenance(const store::Event&)> provenance) {
    options_.provenance = std::move(provenance);
  }
  // Stops the threads; transfers in flight are aborted and stay queued (retried after a restart).
  void Stop();
  NotifierStats Stats() const;
  // Blocks until nothing is due or in flight, or `timeout_ms` passes (for tests and shutdown).
  bool WaitIdle(int64_t timeout_ms);

 private:
  int64_t NowMs() const;
  void Worker();
  void Attempt(Delivery d);
  Status Record(const Delivery& d);
  std::string Payload(const Subscription& s, const Notice& n) const;

  store::Store& store_;
  NotifierOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Delivery> queue_;  // guarded by mu_: pending, not in flight
  std::set<std::string> in_flight_;
  std::unordered_set<std::string> seen_;   // notice ids; OnPass's thread only
  std::unordered_set<std::string> known_;  // delivery keys queued or logged; guarded by mu_
  std::unordered_map<std::string, std::string> secrets_;  // subscription -> secret; mu_
  NotifierStats stats_;                                   // guarded by mu_
  bool stop_ = false;
  std::atomic<bool> abort_{false};  // aborts transfers in flight (Stop)
  bool started_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace blackout::notify
