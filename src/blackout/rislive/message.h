// What one RIS Live message means (docs/rislive.md): its kind, the collector and peer it speaks
// for, and, for an UPDATE or a RIS_PEER_STATE, the route events as the MRT module's elements
// (mrt::Element), so a RIS Live message feeds a routing view exactly like an archived BGP4MP one.
// A Message is a view owned by the Parser that produced it: valid until that parser's next
// Parse(). Thread-safety: plain data.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "blackout/base/ip.h"
#include "blackout/mrt/element.h"

namespace blackout::rislive {

enum class MessageKind : uint8_t {
  kUpdate,        // ris_message UPDATE: withdrawals then announcements
  kPeerState,     // ris_message RIS_PEER_STATE: "connected" or "down"
  kOpen,          // ris_message OPEN (no route elements)
  kNotification,  // ris_message NOTIFICATION (no elements; RIS follows it with a PEER_STATE down)
  kKeepalive,     // ris_message KEEPALIVE
  kRouteRefresh,  // ris_message ROUTE_REFRESH
  kError,         // ris_error: the server rejected something we sent; `error` says what
  kControl,       // ris_subscribe_ok, pong, ris_rrc_list: about the subscription, not routing
};

const char* MessageKindName(MessageKind kind);  // "UPDATE", "RIS_PEER_STATE", "ris_error", ...

// Which decoder produced an UPDATE's elements.
enum class UpdateSource : uint8_t {
  kNone,  // not an UPDATE
  kRaw,   // the `raw` BGP message, through the MRT module's decoders (exact wire semantics)
  kJson,  // the JSON fields `path`, `announcements`, `withdrawals` (no `raw` in the message)
};

struct Message {
  MessageKind kind = MessageKind::kControl;
  std::string type;       // the top-level type, or data.type for ris_message
  std::string host;       // "rrc00" or "rrc00.ripe.net", as sent
  std::string collector;  // CollectorName(host): the name archives use, "rrc00"
  std::string id;         // RIS's message id (may be empty)
  IpAddress peer_ip;
  uint32_t peer_asn = 0;
  double timestamp = 0;  // seconds since the epoch, as sent
  uint32_t time = 0;     // its whole seconds and microseconds
  uint32_t microseconds = 0;
  bool peer_up = false;  // kPeerState: "connected"
  std::string state;     // kPeerState: the state as sent
  std::string error;     // kError: the server's message
  UpdateSource update_source = UpdateSource::kNone;
  // kUpdate: one element per prefix (withdrawals first, as the MRT decoder orders them);
  // kPeerState: one kStateChange element (down: Established(6) -> Idle(1); connected: 1 -> 6).
  // Attributes point into the parser.
  std::span<const mrt::Element> elements;
};

// The collector name archives use for a RIS Live host: lower case, without ".ripe.net"
// ("rrc21.ripe.net" -> "rrc21", "rrc00" -> "rrc00"). The key of "one view, no double counts".
std::string CollectorName(std::string_view host);

}  // namespace blackout::rislive
