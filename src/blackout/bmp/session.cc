#include "blackout/bmp/session.h"

#include <cstring>

#include "blackout/base/log.h"

namespace blackout::bmp {
namespace {

constexpr size_t kMaxProblemTexts = 20;

}  // namespace

Session::Session(std::string address, bgp::LiveView* view)
    : address_(std::move(address)), router_(address_), view_(view) {}

Session::~Session() { Close(); }

Status Session::Feed(std::span<const uint8_t> bytes) {
  if (closed_) return Unavailable("BMP session from " + address_ + " already closed");
  stats_.bytes += bytes.size();
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  for (;;) {
    const size_t have = buf_.size() - start_;
    if (have < kCommonHeaderBytes) break;
    auto length = FrameLength(std::span<const uint8_t>(buf_.data() + start_, have));
    if (!length.ok()) {
      return DataLoss("BMP session from " + router_ + " at byte " +
                      std::to_string(stats_.bytes - have) + ": " + length.status().message());
    }
    if (have < *length) break;
    Handle(std::span<const uint8_t>(buf_.data() + start_, *length));
    start_ += *length;
  }
  // Compact: the buffer never holds more than one partial message (< kMaxMessageBytes) plus the
  // bytes of one Feed.
  if (start_ == buf_.size()) {
    buf_.clear();
    start_ = 0;
  } else if (start_ > 0) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<ptrdiff_t>(start_));
    start_ = 0;
  }
  return Status::Ok();
}

const std::string& Session::Collector(const PerPeerHeader& h) {
  collector_ = "bmp:";
  collector_ += router_;
  collector_ += '/';
  collector_ += PeerTable(h);
  return collector_;
}

void Session::Remember(const std::string& collector, const PerPeerHeader& h) {
  key_ = collector;
  key_ += '|';
  key_ += h.address.ToString();
  key_ += '|';
  key_ += std::to_string(h.as);
  if (peers_.find(key_) == peers_.end()) peers_.emplace(key_, PeerRef{collector, h.address, h.as});
}

void Session::Down(const std::string& collector, const PerPeerHeader& h) {
  key_ = collector + "|" + h.address.ToString() + "|" + std::to_string(h.as);
  peers_.erase(key_);
  view_->PeerDown(collector, h.address, h.as);
  ++stats_.peers_down;
}

void Session::Handle(std::span<const uint8_t> message) {
  problems_.clear();
  const bool ok = decoder_.Decode(message, &msg_, &problems_);
  ++stats_.messages;
  ++stats_.by_type[static_cast<size_t>(msg_.type) % stats_.by_type.size()];
  if (!ok) {
    stats_.problems += problems_.size();
    for (auto& p : problems_) {
      std::string text =
          "BMP session " + router_ + " message " + std::to_string(stats_.messages) + ": " + p;
      if (problem_texts_.size() < kMaxProblemTexts) {
        log::Warn(text);
        problem_texts_.push_back(std::move(text));
      }
    }
  }
  switch (msg_.type) {
    case MessageType::kInitiation:
      if (!msg_.sys_name.empty() && msg_.sys_name != router_) {
        if (!peers_.empty()) {
          // Renamed mid-session: the peers reported under the old name are dropped, the router
          // announces its tables again under the new one.
          Close();
          closed_ = false;
        }
        router_ = msg_.sys_name;
      }
      log::Info("BMP session from ", address_, ": router ", router_,
                msg_.sys_descr.empty() ? "" : " (" + msg_.sys_descr + ")");
      if (on_router_) on_router_(*this);
      return;
    case MessageType::kTermination:
      terminated_ = true;
      log::Info("BMP session ", router_, " terminated (reason ", msg_.term_reason, ")",
                msg_.text.empty() ? "" : ": " + msg_.text);
      return;
    case MessageType::kRouteMirroring:
      ++stats_.mirroring_skipped;
      return;
    case MessageType::kStatisticsReport:
      return;
    case MessageType::kPeerUp:
      if (!msg_.has_peer) return;
      ++stats_.peers_up;
      Remember(Collector(msg_.peer), msg_.peer);
      return;
    case MessageType::kPeerDown:
      if (!msg_.has_peer) return;
      Down(Collector(msg_.peer), msg_.peer);
      return;
    case MessageType::kRouteMonitoring:
      if (!msg_.has_peer) return;
      Remember(Collector(msg_.peer), msg_.peer);
      stats_.elements += msg_.elements.size();
      view_->Apply(collector_, msg_.elements);
      return;
  }
}

void Session::Close() {
  if (closed_) return;
  closed_ = true;
  for (const auto& [key, peer] : peers_) {
    view_->PeerDown(peer.collector, peer.address, peer.as);
    ++stats_.peers_down;
  }
  peers_.clear();
}

}  // namespace blackout::bmp
