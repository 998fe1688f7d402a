// LiveView: the one routing view that live BGP sources (BMP sessions, RIS Live) feed, and the bins
// the service writes from it. Thread-safe: any number of source threads push while the service
// thread takes bins; every call holds one mutex for its duration (a source should push a whole
// message's elements in one Apply call, not one call per element).
//
// Contract for sources:
// - Elements are the MRT module's (mrt::Element, the same the MRT reader produces), applied at
//   once and not kept: attribute views only need to live for the call. A peer of the view is
//   (collector, peer_ip, peer_as) as for archives: the source chooses the collector string so that
//   distinct sessions stay distinct and the same session keeps one name across reconnects (BMP:
//   docs/bmp.md "Peer identity"; RIS Live: the collector's short name, "rrc00", as its archives).
// - kAnnounce/kRibEntry replace, kWithdraw removes, kStateChange leaving Established (6) drops
//   every route of the peer, like the archive ingest (ingest.cc). Announcing a prefix a peer
//   already carries changes nothing, so replays and flapping sessions never count a prefix twice.
// - PeerDown(): the peer's routes are gone (BMP Peer Down, a lost session, a RIS Live gap the
//   source cannot repair). Gap(): a source reports that it may have missed updates (counted and
//   returned by stats(); the source says how it recovers).
//
// Contract for the service: Advance(now) closes every bin (of `step` seconds, wall clock) that
// ended since the previous call, taking the view's Visibility once per closed bin at the moment
// it is noticed closed, and returns those bins followed by the provisional value of the bin that
// holds `now` (recomputed at every call; a later call replaces it). Call it every few seconds so
// a withdrawal reaches the store and the API quickly. AddLiveBins() writes them as the archive
// ingest writes its bins (same entities and signal names, source ""), and records the
// provisional bin's start under the store state key kLiveProvisionalKey.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/time.h"
#include "blackout/bgp/view.h"
#include "blackout/mrt/element.h"

namespace blackout::store {
class WriteBatch;
}

namespace blackout::bgp {

// Store state key holding the start (decimal Unix seconds) of the provisional live bin.
inline constexpr std::string_view kLiveProvisionalKey = "bgp:live:provisional_bin";
// Store state key holding the start of the latest live bin marked `gap` (LiveBin::gap).
inline constexpr std::string_view kLiveGapKey = "bgp:live:gap_bin";

struct LiveBin {
  UnixSeconds bin = 0;  // bin start
  bool provisional = false;
  Visibility visibility;
  // A source missed updates during this bin: a Gap() was reported in it, or a gap was open (from
  // Gap() to GapEnded()) for part of it. Its value may be stale (docs/rislive.md).
  bool gap = false;
};

struct LiveStats {
  uint64_t peers = 0, prefixes = 0;
  uint64_t announces = 0, withdraws = 0, peer_downs = 0, gaps = 0;
  size_t memory_bytes = 0;
};

class LiveView {
 public:
  explicit LiveView(ViewOptions options = {}, const BlockGeo* geo = nullptr,
                    int64_t step = kDefaultStepSeconds);
  LiveView(const LiveView&) = delete;
  LiveView& operator=(const LiveView&) = delete;

  // Applies the elements (all from peers of `collector`); elements with `local` set are ignored.
  void Apply(std::string_view collector, std::span<const mrt::Element> elements);
  // Every route of the peer is gone (no-op for a peer never seen).
  void PeerDown(std::string_view collector, const IpAddress& ip, uint32_t asn);
  // A source may have missed updates; `what` says which source and why. The gap stays open, and
  // every bin it overlaps is marked `gap`, until the source calls GapEnded().
  void Gap(std::string_view what);
  // The source that reported a gap receives updates again (RIS Live reconnected). What it missed
  // stays missed until re-announced or a RIB repairs it.
  void GapEnded(std::string_view what);

  // See the header comment. REQUIRES: now is not before the previous call's.
  std::vector<LiveBin> Advance(UnixSeconds now);

  LiveStats stats() const;
  // Runs `f` on the view under the lock (tests, benchmarks, per-peer counts).
  void With(const std::function<void(RoutingView&)>& f);

  int64_t step() const { return step_; }

 private:
  mutable std::mutex mu_;
  RoutingView view_;
  int64_t step_;
  UnixSeconds open_bin_ = -1;  // start of the bin in progress, -1 before the first Advance
  LiveStats counts_;
  int open_gaps_ = 0;
  bool gap_in_bin_ = false;        // a gap was reported or open during the bin in progress
  std::vector<uint32_t> origins_;  // scratch
};

// The bins as store points (entity, SignalName(family, level), source ""), like IngestToStore;
// a family without full-feed peers is left missing. Sets kLiveProvisionalKey to the provisional
// bin's start when one is among `bins`.
void AddLiveBins(std::span<const LiveBin> bins, int64_t step, store::WriteBatch* batch);

}  // namespace blackout::bgp
