#include "blackout/bmp/decoder.h"

#include <cstdio>
#include <cstring>

namespace blackout::bmp {
namespace {

uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t Get32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
uint64_t Get64(const uint8_t* p) { return uint64_t{Get32(p)} << 32 | Get32(p + 4); }

// A 16-byte address field (RFC 7854 §4.2): IPv4 in the last four bytes unless `v6`.
IpAddress AddressField(const uint8_t* p, bool v6) {
  return v6 ? IpAddress::FromBytes(Family::kIPv6, std::span<const uint8_t>(p, 16))
            : IpAddress::FromBytes(Family::kIPv4, std::span<const uint8_t>(p + 12, 4));
}

constexpr uint8_t kCapabilitiesParam = 2;  // RFC 5492 §4
constexpr uint8_t kCapAddPath = 69;        // RFC 7911 §4
constexpr uint8_t kAddPathReceive = 1, kAddPathSend = 2;

// Calls f(afi, safi, send_receive) for every ADD-PATH tuple of a BGP OPEN message (RFC 4271
// §4.2; extended optional parameters RFC 9072). Returns false if the OPEN is malformed.
template <typename F>
bool ForEachAddPath(std::span<const uint8_t> open, F&& f) {
  if (open.size() < mrt::kBgpHeaderBytes + 10 || open[18] != mrt::kBgpOpenMessage) return false;
  const size_t len = std::min<size_t>(Get16(open.data() + 16), open.size());
  const uint8_t* p = open.data() + mrt::kBgpHeaderBytes + 9;
  const uint8_t* end = open.data() + len;
  size_t opt = *p++;
  bool extended = false;
  if (opt == 255 && end - p >= 3 && *p == 255) {  // RFC 9072 §2
    extended = true;
    opt = Get16(p + 1);
    p += 3;
  }
  if (opt > static_cast<size_t>(end - p)) return false;
  end = p + opt;
  while (p < end) {
    const size_t head = extended ? 3 : 2;
    if (static_cast<size_t>(end - p) < head) return false;
    const uint8_t type = p[0];
    const size_t plen = extended ? Get16(p + 1) : p[1];
    p += head;
    if (plen > static_cast<size_t>(end - p)) return false;
    if (type == kCapabilitiesParam) {
      for (const uint8_t *c = p, *cend = p + plen; c < cend;) {
        if (cend - c < 2 || c[1] > cend - c - 2) return false;
        if (c[0] == kCapAddPath) {
          for (size_t i = 0; i + 4 <= c[1]; i += 4) f(Get16(c + 2 + i), c[4 + i], c[5 + i]);
        }
        c += 2 + c[1];
      }
    }
    p += plen;
  }
  return true;
}

}  // namespace

const char* RibName(Rib rib) {
  switch (rib) {
    case Rib::kPrePolicy:
      return "pre";
    case Rib::kPostPolicy:
      return "post";
    case Rib::kLocRib:
      return "loc-rib";
    case Rib::kAdjRibOutPre:
      return "out-pre";
    case Rib::kAdjRibOutPost:
      return "out-post";
  }
  return "?";
}

Rib PerPeerHeader::rib() const {
  if (type == static_cast<uint8_t>(PeerType::kLocRib)) return Rib::kLocRib;
  const bool post = flags & kPeerFlagL;
  if (flags & kPeerFlagO) return post ? Rib::kAdjRibOutPost : Rib::kAdjRibOutPre;
  return post ? Rib::kPostPolicy : Rib::kPrePolicy;
}

bool PerPeerHeader::as4() const {
  return type == static_cast<uint8_t>(PeerType::kLocRib) || !(flags & kPeerFlagA);
}

Result<uint32_t> FrameLength(std::span<const uint8_t> head) {
  if (head.size() < kCommonHeaderBytes) return InvalidArgument("BMP header needs 6 bytes");
  if (head[0] != kBmpVersion) {
    return DataLoss("not BMP version 3 (version byte " + std::to_string(head[0]) + ")");
  }
  const uint32_t length = Get32(head.data() + 1);
  if (length < kCommonHeaderBytes || length > kMaxMessageBytes) {
    return DataLoss("BMP message length " + std::to_string(length) + " out of range");
  }
  if (head[5] > static_cast<uint8_t>(MessageType::kRouteMirroring)) {
    return DataLoss("unknown BMP message type " + std::to_string(head[5]));
  }
  return length;
}

std::string FormatDistinguisher(uint64_t rd) {
  char buf[40];
  const uint16_t type = static_cast<uint16_t>(rd >> 48);
  const uint64_t v = rd & 0xFFFFFFFFFFFFull;
  switch (type) {
    case 0:  // 2-octet ASN : 4-octet number
      std::snprintf(buf, sizeof buf, "%u:%u", static_cast<unsigned>(v >> 32),
                    static_cast<unsigned>(v & 0xFFFFFFFF));
      break;
    case 1:  // IPv4 address : 2-octet number
      std::snprintf(buf, sizeof buf, "%u.%u.%u.%u:%u", static_cast<unsigned>(v >> 40 & 255),
                    static_cast<unsigned>(v >> 32 & 255), static_cast<unsigned>(v >> 24 & 255),
                    static_cast<unsigned>(v >> 16 & 255), static_cast<unsigned>(v & 0xFFFF));
      break;
    case 2:  // 4-octet ASN : 2-octet number
      std::snprintf(buf, sizeof buf, "%u:%u", static_cast<unsigned>(v >> 16),
                    static_cast<unsigned>(v & 0xFFFF));
      break;
    default:
      std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(rd));
      break;
  }
  return buf;
}

std::string PeerTable(const PerPeerHeader& peer) {
  std::string out;
  if (peer.type == static_cast<uint8_t>(PeerType::kRd) ||
      peer.type == static_cast<uint8_t>(PeerType::kLocRib) || peer.distinguisher != 0) {
    out = "rd=" + FormatDistinguisher(peer.distinguisher) + "/";
  }
  if (peer.type == static_cast<uint8_t>(PeerType::kLocal)) out += "local/";
  out += RibName(peer.rib());
  return out;
}

Decoder::Decoder() = default;

void Decoder::Problem(std::string what) {
  ok_ = false;
  if (problems_ != nullptr) problems_->push_back(std::move(what));
}

bool Decoder::Decode(std::span<const uint8_t> message, Message* out,
                     std::vector<std::string>* problems) {
  problems_ = problems;
  ok_ = true;
  elements_.clear();
  stats_.clear();
  *out = Message();
  auto length = FrameLength(message);
  if (!length.ok()) {
    Problem(length.status().message());
    return false;
  }
  if (*length != message.size()) {
    Problem("BMP message length " + std::to_string(*length) + " but " +
            std::to_string(message.size()) + " bytes given");
    return false;
  }
  out->type = static_cast<MessageType>(message[5]);
  out->length = *length;
  std::span<const uint8_t> body = message.subspan(kCommonHeaderBytes);
  switch (out->type) {
    case MessageType::kInitiation:
    case MessageType::kTermination:
      InfoTlvs(body, out);
      break;
    case MessageType::kRouteMonitoring:
    case MessageType::kStatisticsReport:
    case MessageType::kPeerDown:
    case MessageType::kPeerUp:
    case MessageType::kRouteMirroring: {
      if (!PerPeer(body, out)) break;
      std::span<const uint8_t> rest = body.subspan(kPerPeerHeaderBytes);
      if (out->type == MessageType::kRouteMonitoring) {
        RouteMonitoring(rest, out);
      } else if (out->type == MessageType::kPeerUp) {
        PeerUp(rest, out);
      } else if (out->type == MessageType::kStatisticsReport) {
        Statistics(rest, out);
      } else if (out->type == MessageType::kPeerDown) {
        if (rest.empty()) {
          Problem("Peer Down without a reason");
        } else {
          out->down_reason = rest[0];
        }
      }
      break;
    }
  }
  return ok_;
}

bool Decoder::PerPeer(std::span<const uint8_t> body, Message* out) {
  if (body.size() < kPerPeerHeaderBytes) {
    Problem("BMP message of type " + std::to_string(static_cast<int>(out->type)) +
            " too short for its per-peer header (" + std::to_string(body.size()) + " bytes)");
    return false;
  }
  const uint8_t* p = body.data();
  PerPeerHeader& h = out->peer;
  h.type = p[0];
  h.flags = p[1];
  h.distinguisher = Get64(p + 2);
  const bool loc_rib = h.type == static_cast<uint8_t>(PeerType::kLocRib);
  h.address = AddressField(p + 10, !loc_rib && (h.flags & kPeerFlagV));
  h.as = Get32(p + 26);
  h.bgp_id = Get32(p + 30);
  h.seconds = Get32(p + 34);
  h.microseconds = Get32(p + 38);
  out->has_peer = true;
  if (h.type > static_cast<uint8_t>(PeerType::kLocRib)) {
    Problem("unknown BMP peer type " + std::to_string(h.type));
  }
  return true;
}

void Decoder::RouteMonitoring(std::span<const uint8_t> rest, Message* out) {
  const PerPeerHeader& h = out->peer;
  mrt::Element proto;
  proto.source = mrt::ElementSource::kBgp4mp;
  proto.time = h.seconds;
  proto.microseconds = h.microseconds;
  proto.peer_as = h.as;
  proto.peer_ip = h.address;
  bool add_path = false;
  if (!add_path_.empty()) {
    key_ = PeerTable(h) + "|" + h.address.ToString() + "|" + std::to_string(h.as);
    auto it = add_path_.find(key_);
    // Both families: an UPDATE's family is only known once decoded; IPv4 NLRI and MP_REACH
    // rarely mix within one message, and the NLRI decoder falls back when path ids are wrong.
    add_path = it != add_path_.end() && it->second != 0;
  }
  std::vector<std::string> bgp_problems;
  if (!updates_.Decode(rest, h.as4(), add_path, proto, &elements_, &bgp_problems)) {
    // Some routers (FRR 8.0's Loc-RIB) send 2-octet AS_PATHs under a 4-octet A flag: when the
    // 4-octet reading fails and the 2-octet one is sound, keep that one (and say so).
    std::vector<std::string> as2_problems;
    if (h.as4() && updates_.Decode(rest, false, add_path, proto, &elements_, &as2_problems)) {
      Problem("Route Monitoring: " + bgp_problems.front() +
              "; decoded with 2-octet AS numbers (the A flag says 4)");
    } else {
      if (h.as4()) (void)updates_.Decode(rest, true, add_path, proto, &elements_, nullptr);
      for (auto& p : bgp_problems) Problem("Route Monitoring: " + p);
    }
  }
  out->elements = std::span<const mrt::Element>(elements_.data(), elements_.size());
}

void Decoder::PeerUp(std::span<const uint8_t> rest, Message* out) {
  if (rest.size() < kPeerUpFixedBytes + 2 * mrt::kBgpHeaderBytes) {
    Problem("Peer Up of " + std::to_string(rest.size()) + " bytes after its per-peer header");
    return;
  }
  const bool v6 = out->peer.flags & kPeerFlagV;
  out->local_address = AddressField(rest.data(), v6);
  out->local_port = Get16(rest.data() + 16);
  out->remote_port = Get16(rest.data() + 18);
  std::span<const uint8_t> opens = rest.subspan(kPeerUpFixedBytes);
  const size_t sent_len = Get16(opens.data() + 16);
  if (sent_len < mrt::kBgpHeaderBytes || sent_len + mrt::kBgpHeaderBytes > opens.size()) {
    Problem("Peer Up sent OPEN length " + std::to_string(sent_len) + " out of range");
    return;
  }
  std::span<const uint8_t> sent = opens.first(sent_len);
  std::span<const uint8_t> received = opens.subspan(sent_len);
  const size_t recv_len = Get16(received.data() + 16);
  if (recv_len < mrt::kBgpHeaderBytes || recv_len > received.size()) {
    Problem("Peer Up received OPEN length " + std::to_string(recv_len) + " out of range");
    return;
  }
  received = received.first(recv_len);
  // Path ids are in this peer's UPDATEs when the peer may send them and the router receive them.
  uint8_t sends = 0, receives = 0;
  auto bit = [](uint16_t afi) { return afi == mrt::kAfiIpv4 ? 1 : afi == mrt::kAfiIpv6 ? 2 : 0; };
  bool sound = ForEachAddPath(received, [&](uint16_t afi, uint8_t safi, uint8_t sr) {
    if (safi == mrt::kSafiUnicast && (sr & kAddPathSend)) sends |= bit(afi);
  });
  sound &= ForEachAddPath(sent, [&](uint16_t afi, uint8_t safi, uint8_t sr) {
    if (safi == mrt::kSafiUnicast && (sr & kAddPathReceive)) receives |= bit(afi);
  });
  if (!sound) Problem("Peer Up with a malformed OPEN message");
  const uint8_t both = sends & receives;
  out->add_path_v4 = both & 1;
  out->add_path_v6 = both & 2;
  key_ = PeerTable(out->peer) + "|" + out->peer.address.ToString() + "|" +
         std::to_string(out->peer.as);
  if (both != 0) {
    add_path_[key_] = both;
  } else {
    add_path_.erase(key_);
  }
}

void Decoder::Statistics(std::span<const uint8_t> rest, Message* out) {
  if (rest.size() < 4) {
    Problem("Statistics Report without a count");
    return;
  }
  const uint32_t count = Get32(rest.data());
  const uint8_t* p = rest.data() + 4;
  const uint8_t* end = rest.data() + rest.size();
  for (uint32_t i = 0; i < count; ++i) {
    if (end - p < 4 || Get16(p + 2) > end - p - 4) {
      Problem("Statistics Report truncated in statistic " + std::to_string(i) + " of " +
              std::to_string(count));
      break;
    }
    const uint16_t len = Get16(p + 2);
    Statistic s;
    s.type = Get16(p);
    s.value = len == 4 ? Get32(p + 4) : len == 8 ? Get64(p + 4) : 0;
    stats_.push_back(s);
    p += 4 + len;
  }
  out->stats = std::span<const Statistic>(stats_.data(), stats_.size());
}

void Decoder::InfoTlvs(std::span<const uint8_t> rest, Message* out) {
  const uint8_t* p = rest.data();
  const uint8_t* end = p + rest.size();
  while (p < end) {
    if (end - p < 4 || Get16(p + 2) > end - p - 4) {
      Problem("information TLV truncated");
      return;
    }
    const uint16_t type = Get16(p);
    const uint16_t len = Get16(p + 2);
    std::string_view value(reinterpret_cast<const char*>(p + 4), len);
    if (out->type == MessageType::kTermination && type == kTermReason) {
      out->term_reason = len >= 2 ? Get16(p + 4) : 0;
    } else if (out->type == MessageType::kInitiation && type == kInfoSysName) {
      out->sys_name.assign(value);
    } else if (out->type == MessageType::kInitiation && type == kInfoSysDescr) {
      out->sys_descr.assign(value);
    } else if (type == kInfoString) {
      if (!out->text.empty()) out->text += "; ";
      out->text.append(value);
    }
    p += 4 + len;
  }
}

}  // namespace blackout::bmp
