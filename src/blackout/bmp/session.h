// Session: one BMP connection from a router (RFC 7854 §3.3: the router connects and sends, the
// station only reads). It frames the byte stream into messages within a bounded buffer, decodes
// them and applies what they say to a bgp::LiveView: Route Monitoring routes to the monitored
// peer's table, Peer Down and the session's end drop the peer's routes.
//
// Peer identity (docs/bmp.md): a monitored peer is the view peer (collector, address, AS) with
// collector "bmp:ROUTER/[rd=RD/][local/]RIB", ROUTER being the sysName of the router's Initiation
// (the connection's address until one arrives) and RIB pre, post, loc-rib, out-pre or out-post.
// A router that reconnects under the same name finds its peers again, so a flapping session
// never counts a prefix twice. Thread-safety: one thread per session (the LiveView is shared).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/bgp/live.h"
#include "blackout/bmp/decoder.h"

namespace blackout::bmp {

struct SessionStats {
  uint64_t bytes = 0, messages = 0, elements = 0, problems = 0;
  std::array<uint64_t, 7> by_type{};  // messages per MessageType
  uint64_t mirroring_skipped = 0;
  uint64_t peers_up = 0, peers_down = 0;
};

class Session {
 public:
  // `address`: the router's connection address, its name until an Initiation gives a sysName.
  Session(std::string address, bgp::LiveView* view);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Appends received bytes and handles every message they complete. Returns kDataLoss when the
  // stream cannot be BMP (bad version, length or type: no resync is possible): close it then.
  // Problems inside messages are counted and logged (the first few), never fatal.
  Status Feed(std::span<const uint8_t> bytes);
  // The connection ended: every peer this session reported goes down in the view. Idempotent.
  void Close();
  // Called when an Initiation names the router, before the session's next message is handled
  // (the station closes an older session of the same router there: see station.h).
  void set_on_router(std::function<void(Session&)> f) { on_router_ = std::move(f); }

  // Bytes of a message received in part (the stall check looks at it).
  size_t buffered() const { return buf_.size() - start_; }
  const std::string& router() const { return router_; }
  const std::string& address() const { return address_; }
  const SessionStats& stats() const { return stats_; }
  const std::vector<std::string>& problem_texts() const { return problem_texts_; }
  bool terminated() const { return terminated_; }

 private:
  void Handle(std::span<const uint8_t> message);
  const std::string& Collector(const PerPeerHeader& h);
  void Remember(const std::string& collector, const PerPeerHeader& h);
  void Down(const std::string& collector, const PerPeerHeader& h);

  struct PeerRef {
    std::string collector;
    IpAddress address;
    uint32_t as = 0;
  };

  std::string address_, router_;
  bgp::LiveView* view_;
  Decoder decoder_;
  Message msg_;
  std::vector<uint8_t> buf_;
  size_t start_ = 0;  // first byte not yet consumed
  SessionStats stats_;
  std::vector<std::string> problems_, problem_texts_;
  std::unordered_map<std::string, PeerRef> peers_;  // collector|address|AS -> the peer
  std::string collector_, key_;                     // scratch
  bool closed_ = false, terminated_ = false;
  std::function<void(Session&)> on_router_;
};

}  // namespace blackout::bmp
