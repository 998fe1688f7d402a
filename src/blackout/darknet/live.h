// LiveCapture: the telescope on a live interface. A thread reads packets through libpcap into a
// TelescopeCounter; the owner takes the finished bins (those whose end, plus a grace period for
// late packets, has passed) and writes them to the store, each bin one batch with its own ledger
// entry ("darknet:if:NAME:BIN"), so a bin is written once and a restart does not count it twice.
// Thread-safety: Start/Stop/Flush from the owner's thread; the capture runs on its own.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "blackout/darknet/capture.h"
#include "blackout/darknet/counter.h"
#include "blackout/darknet/ingest.h"

namespace blackout::darknet {

class LiveCapture {
 public:
  LiveCapture(std::string interface, Attributor attribute, DarknetOptions options,
              LiveOptions live = {});
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  // Opens the interface, applies the BPF filter and starts capturing.
  Status Start();
  // Stops capturing (the counted bins stay, for a last Flush).
  void Stop();

  // Writes the bins finished by `now` (every bin when `all`) and forgets them. Returns points.
  Result<size_t> Flush(store::Store& store, UnixSeconds now, bool all = false);
  // The same bins' counts without a store (tests): bin -> entity -> numbers.
  std::map<UnixSeconds, std::map<std::string, EntityBin>> TakeCounts(UnixSeconds now, bool all);

  PacketStats stats() const;
  // Packets that arrived for a bin already written (later than the grace period): not counted, so
  // a written bin is never replaced by its stragglers alone.
  uint64_t late_packets() const;
  uint64_t kernel_drops() const;
  const std::string& interface() const { return interface_; }

 private:
  void Run();
  std::vector<UnixSeconds> FinishedBins(UnixSeconds now, bool all) const;  // REQUIRES mu_

  std::string interface_;
  DarknetOptions options_;
  LiveOptions live_;
  mutable std::mutex mu_;
  TelescopeCounter counter_;          // guarded by mu_
  UnixSeconds written_through_ = -1;  // the last bin written; guarded by mu_
  uint64_t late_ = 0;                 // guarded by mu_
  std::unique_ptr<PacketSource> source_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Every telescope input of the service (`sources.darknet`): capture files and folders, ingested
// when new or changed, and "if:NAME" interfaces, captured from the first Poll on, their finished
// bins written at each Poll. Thread-safety: Poll from one thread.
class DarknetSources {
 public:
  DarknetSources(std::vector<std::string> inputs, DarknetOptions options);
  ~DarknetSources();

  struct Report {
    size_t files = 0;  // files written this poll
    uint64_t points = 0;
    std::vector<std::string> problems;
  };
  // Inputs that do not exist (yet) are left for a later poll. `attribute` must outlive this
  // object once an interface is captured. Errors are the store's; input problems are reported.
  Result<Report> Poll(const Attributor& attribute, store::Store& store, UnixSeconds now,
                      const std::atomic<bool>* cancel = nullptr);

  // The routed address space for the unrouted-source rule (e.g. the BGP view's prefixes after a
  // pass): files read from the next poll on use it; live captures take the one set before they
  // start (the first poll) and keep it.
  void SetRouted(std::shared_ptr<const RoutedSpace> routed);

 private:
  std::vector<std::string> inputs_;
  DarknetOptions options_;
  std::vector<std::unique_ptr<LiveCapture>> live_;
  bool started_ = false;
  std::shared_ptr<const RoutedSpace> routed_;       // what options_.filter.routed points to
  std::shared_ptr<const RoutedSpace> live_routed_;  // what the live captures' options point to
};

}  // namespace blackout::darknet
