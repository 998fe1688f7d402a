#include "blackout/bgp/live.h"

#include "blackout/base/log.h"
#include "blackout/store/store.h"

namespace blackout::bgp {
namespace {

constexpr uint8_t kEstablished = 6;  // RFC 4271 §8.2.2 FSM state

}  // namespace

LiveView::LiveView(ViewOptions options, const BlockGeo* geo, int64_t step)
    : view_(options, geo), step_(step > 0 ? step : kDefaultStepSeconds) {}

void LiveView::Apply(std::string_view collector, std::span<const mrt::Element> elements) {
  std::lock_guard lock(mu_);
  // Elements of one message share their peer: look it up once per run of equal peers.
  const mrt::Element* last = nullptr;
  uint32_t peer = 0;
  for (const mrt::Element& e : elements) {
    if (e.local) continue;
    if (last == nullptr || last->peer_as != e.peer_as || !(last->peer_ip == e.peer_ip)) {
      peer = view_.Peer(collector, e.peer_ip, e.peer_as);
      last = &e;
    }
    switch (e.type) {
      case mrt::ElementType::kRibEntry:
      case mrt::ElementType::kAnnounce:
        if (e.attrs != nullptr) {
          PathOrigins(e.attrs->as_path, &origins_);
        } else {
          origins_.clear();
        }
        view_.Announce(peer, e.prefix, origins_, e.has_path_id, e.path_id);
        ++counts_.announces;
        break;
      case mrt::ElementType::kWithdraw:
        view_.Withdraw(peer, e.prefix, e.has_path_id, e.path_id);
        ++counts_.withdraws;
        break;
      case mrt::ElementType::kStateChange:
        if (e.old_state == kEstablished && e.new_state != kEstablished) {
          view_.PeerDown(peer);
          ++counts_.peer_downs;
        }
        break;
    }
  }
}

void LiveView::PeerDown(std::string_view collector, const IpAddress& ip, uint32_t asn) {
  std::lock_guard lock(mu_);
  // Peer() creates the peer when unknown: an empty peer going down changes nothing.
  view_.PeerDown(view_.Peer(collector, ip, asn));
  ++counts_.peer_downs;
}

void LiveView::Gap(std::string_view what) {
  std::lock_guard lock(mu_);
  ++counts_.gaps;
  ++open_gaps_;
  gap_in_bin_ = true;
  log::Warn("live BGP gap: ", what);
}

void LiveView::GapEnded(std::string_view what) {
  std::lock_guard lock(mu_);
  if (open_gaps_ > 0) --open_gaps_;
  log::Info("live BGP gap ended: ", what);
}

std::vector<LiveBin> LiveView::Advance(UnixSeconds now) {
  std::lock_guard lock(mu_);
  std::vector<LiveBin> out;
  const UnixSeconds bin = BinStart(now, step_);
  if (open_bin_ >= 0 && bin > open_bin_) {
    // Every bin that ended since the last call holds the view as it is now: nothing was sampled
    // in between, and the view is the last state known for each of them.
    Visibility closed = view_.Compute();
    for (UnixSeconds b = open_bin_; b < bin; b += step_) {
      out.push_back(LiveBin{b, false, closed, gap_in_bin_ || open_gaps_ > 0});
      if (out.size() > 288) break;  // a clock jump: at most a day of bins
    }
    gap_in_bin_ = open_gaps_ > 0;
  }
  open_bin_ = bin;
  out.push_back(LiveBin{bin, true, view_.Compute(), gap_in_bin_ || open_gaps_ > 0});
  return out;
}

LiveStats LiveView::stats() const {
  std::lock_guard lock(mu_);
  LiveStats s = counts_;
  s.peers = view_.peers().size();
  s.prefixes = view_.prefix_count();
  s.memory_bytes = view_.MemoryBytes();
  return s;
}

void LiveView::With(const std::function<void(RoutingView&)>& f) {
  std::lock_guard lock(mu_);
  f(view_);
}

void AddLiveBins(std::span<const LiveBin> bins, int64_t step, store::WriteBatch* batch) {
  for (const LiveBin& b : bins) {
    const Visibility& v = b.visibility;
    for (int fam = 0; fam < 2; ++fam) {
      const auto& m = fam == 0 ? v.v4 : v.v6;
      const int denominators = fam == 0 ? v.full_feed_asns_v4 : v.full_feed_asns_v6;
      if (denominators == 0) continue;  // no full-feed peer: undefined, left missing
      const Family f = fam == 0 ? Family::kIPv4 : Family::kIPv6;
      for (const auto& [entity, counts] : m) {
        for (int l = 0; l < kLevels; ++l) {
          batch->AddPoint({entity, SignalName(f, l), ""}, b.bin, static_cast<double>(counts[l]),
                          step);
        }
      }
    }
    if (b.provisional) batch->SetState(std::string(kLiveProvisionalKey), std::to_string(b.bin));
    if (b.gap) batch->SetState(std::string(kLiveGapKey), std::to_string(b.bin));
  }
}

}  // namespace blackout::bgp
