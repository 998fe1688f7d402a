// Decoding of MRT record bodies into Elements (RFC 6396 §4, RFC 8050). Which records yield which
// elements, and where this follows bgpdump, is described in docs/mrt.md.
#include <cstring>
#include <string>
#include <vector>

#include "blackout/mrt/bgp_decoder.h"
#include "blackout/mrt/internal/nlri.h"
#include "blackout/mrt/internal/update.h"
#include "blackout/mrt/internal/wire.h"
#include "blackout/mrt/reader.h"

namespace blackout::mrt {

using internal::CopyIp;
using internal::Cursor;
using internal::Get16;
using internal::Get32;

namespace {

// BGP message types (RFC 4271 §4.1, RFC 2918).
constexpr uint8_t kBgpMsgOpen = 1;
constexpr uint8_t kBgpMsgUpdate = 2;
constexpr uint8_t kBgpMsgNotification = 3;
constexpr uint8_t kBgpMsgKeepalive = 4;
constexpr uint8_t kBgpMsgRouteRefresh = 5;
constexpr size_t kBgpHeaderLength = 19;  // marker 16, length 2, type 1

// PEER_INDEX_TABLE peer type bits (RFC 6396 §4.3.1).
constexpr uint8_t kPeerTypeIpv6 = 0x01;
constexpr uint8_t kPeerTypeAs4 = 0x02;

IpAddress ReadIp(Cursor& c, Family f) {
  const size_t n = f == Family::kIPv4 ? 4 : 16;
  if (c.left() >= n) {
    IpAddress ip = IpAddress::FromBytes(f, std::span<const uint8_t>(c.pos(), n));
    c.Skip(n);
    return ip;
  }
  uint8_t buf[16] = {};
  c.Bytes(buf, n);
  return IpAddress::FromBytes(f, buf);
}

// Reads an address straight into *out (see IpAddress::Assign).
void ReadIpInto(Cursor& c, Family f, IpAddress* out) {
  const size_t n = f == Family::kIPv4 ? 4 : 16;
  if (c.left() >= n) {
    out->Assign(f, c.pos());
    c.Skip(n);
    return;
  }
  uint8_t buf[16] = {};
  c.Bytes(buf, n);
  out->Assign(f, buf);
}

}  // namespace

class RecordDecoder::State {
 public:
  const Record& Decode(uint32_t time, uint32_t usec, uint16_t type, uint16_t subtype,
                       std::span<const uint8_t> body, std::vector<std::string>* problems) {
    problems_ = problems;
    rec_ = Record{};
    rec_.time = time;
    rec_.microseconds = usec;
    rec_.type = type;
    rec_.subtype = subtype;
    rec_.length = static_cast<uint32_t>(body.size());
    rec_.body = body;
    elements_.clear();
    attr_dec_.Reset(body.size());
    attrs_used_ = 0;
    switch (type) {
      case kMrtTableDump:
        TableDump(body);
        break;
      case kMrtTableDumpV2:
        TableDumpV2(body);
        break;
      case kMrtBgp4mp:
      case kMrtBgp4mpEt:
        Bgp4mp(body);
        break;
      case kMrtBgp:
        Bgp(body);
        break;
      default:
        rec_.status = RecordStatus::kSkipped;
        break;
    }
    rec_.elements = std::span<const Element>(elements_.data(), elements_.size());
    rec_.peer_index = has_pit_ ? &pit_ : nullptr;
    return rec_;
  }

  const PeerIndexTable* peer_index() const { return has_pit_ ? &pit_ : nullptr; }

  const Record& Fail(uint32_t time, uint16_t type, uint16_t subtype, std::span<const uint8_t> body,
                     std::vector<std::string>* problems) {
    Decode(time, 0, 0xFFFF, subtype, {}, nullptr);
    rec_.type = type;
    rec_.body = body;
    rec_.length = static_cast<uint32_t>(body.size());
    problems_ = problems;
    Problem("BGP4MP_ET record shorter than its microsecond field");
    return rec_;
  }

 private:
  void Problem(std::string what) {
    rec_.status = RecordStatus::kMalformed;
    if (problems_) problems_->push_back(std::move(what));
  }

  Element Base(ElementSource source) const {
    Element e;
    e.source = source;
    e.time = rec_.time;
    e.microseconds = rec_.microseconds;
    return e;
  }

  // Attributes slots are sized before decoding a record so they never move within it.
  Attributes* NewAttrs() {
    if (attrs_used_ == attrs_.size()) attrs_.resize(attrs_.size() * 2 + 4);
    return &attrs_[attrs_used_++];
  }
  void ReserveAttrs(size_t n) {
    if (attrs_.size() < n) attrs_.resize(n);
  }

  void DecodeAttrs(std::span<const uint8_t> block, bool as4, bool rib, Attributes* a, MpInfo* mp,
                   const char* where) {
    if (!attr_dec_.Decode(block, AttrDecodeOptions{as4, rib}, a, mp, &error_)) {
      Problem(std::string(where) + ": " + error_);
    }
  }

  // ---- TABLE_DUMP (RFC 6396 §4.2) ----
  void TableDump(std::span<const uint8_t> body) {
    Family fam;
    bool as4 = false;
    switch (rec_.subtype) {
      case 1:
        fam = Family::kIPv4;
        break;
      case 2:
        fam = Family::kIPv6;
        break;
      case 3:
        fam = Family::kIPv4, as4 = true;
        break;  // bgpdump's 32-bit AS extension
      case 4:
        fam = Family::kIPv6, as4 = true;
        break;
      default:
        rec_.status = RecordStatus::kSkipped;
        return;
    }
    const size_t alen = fam == Family::kIPv4 ? 4 : 16;
    const size_t fixed = 2 + 2 + alen + 1 + 1 + 4 + alen + (as4 ? 4 : 2) + 2;
    if (body.size() < fixed) {
      Problem("TABLE_DUMP record of " + std::to_string(body.size()) + " bytes, need " +
              std::to_string(fixed));
      return;
    }
    ReserveAttrs(1);
    Cursor c(body.data(), body.size());
    c.Skip(4);  // view, sequence
    const uint8_t* prefix_bytes = c.pos();
    c.Skip(alen);
    const uint8_t len = c.U8();
    c.Skip(1);  // status
    const uint32_t originated = c.U32();
    IpAddress peer;
    ReadIpInto(c, fam, &peer);
    const uint32_t peer_as = as4 ? c.U32() : c.U16();
    const uint16_t attr_len = c.U16();
    size_t avail = c.left();
    if (attr_len > avail) {
      Problem("TABLE_DUMP attribute length " + std::to_string(attr_len) + " overruns the record (" +
              std::to_string(avail) + " bytes left)");
    }
    Attributes* a = NewAttrs();
    DecodeAttrs(std::span<const uint8_t>(c.pos(), std::min<size_t>(attr_len, avail)), as4, true, a,
                nullptr, "TABLE_DUMP attributes");
    if (len > (fam == Family::kIPv4 ? 32 : 128)) {
      Problem("TABLE_DUMP prefix length " + std::to_string(len));
      return;
    }
    Element& e = elements_.emplace_back(Base(ElementSource::kTableDump));
    e.type = ElementType::kRibEntry;
    CopyIp(peer, &e.peer_ip);
    e.peer_as = peer_as;
    internal::PrefixOnWire{fam, prefix_bytes, len, alen, alen}.AssignTo(&e.prefix);
    e.attrs = a;
    CopyIp(a->has_mp_next_hop ? a->mp_next_hop : a->next_hop, &e.next_hop);
    e.originated_time = originated;
  }

  // ---- TABLE_DUMP_V2 (RFC 6396 §4.3, RFC 8050 §4) ----
  void TableDumpV2(std::span<const uint8_t> body) {
    switch (rec_.subtype) {
      case kPeerIndexTable:
        PeerIndex(body);
        return;
      case kRibIpv4Unicast:
      case kRibIpv6Unicast:
      case kRibIpv4UnicastAddPath:
      case kRibIpv6UnicastAddPath:
        Rib(body);
        return;
      default:  // multicast, RIB_GENERIC: not decoded (as bgpdump)
        rec_.status = RecordStatus::kSkipped;
        return;
    }
  }

  void PeerIndex(std::span<const uint8_t> body) {
    pit_.peers.clear();
    pit_.view_name.clear();
    has_pit_ = true;
    Cursor c(body.data(), body.size());
    pit_.collector_bgp_id = c.U32();
    const uint16_t name_len = c.U16();
    if (name_len > c.left()) {
      Problem("PEER_INDEX_TABLE view name overruns the record");
      return;
    }
    pit_.view_name.assign(reinterpret_cast<const char*>(c.pos()), name_len);
    c.Skip(name_len);
    const uint16_t count = c.U16();
    if (c.overrun()) {
      Problem("PEER_INDEX_TABLE truncated before the peer count");
      return;
    }
    pit_.peers.reserve(count);
    for (uint16_t i = 0; i < count; ++i) {
      const uint8_t pt = c.U8();
      Peer peer;
      peer.bgp_id = c.U32();
      peer.ip = ReadIp(c, (pt & kPeerTypeIpv6) ? Family::kIPv6 : Family::kIPv4);
      peer.as = (pt & kPeerTypeAs4) ? c.U32() : c.U16();
      if (c.overrun()) {
        Problem("PEER_INDEX_TABLE truncated in peer " + std::to_string(i) + " of " +
                std::to_string(count));
        return;
      }
      pit_.peers.push_back(peer);
    }
  }

  void Rib(std::span<const uint8_t> body) {
    const bool v6 = rec_.subtype == kRibIpv6Unicast || rec_.subtype == kRibIpv6UnicastAddPath;
    const bool addpath = rec_.subtype >= kRibIpv4UnicastAddPath;
    const Family fam = v6 ? Family::kIPv6 : Family::kIPv4;
    if (!has_pit_) {
      Problem("RIB record without a PEER_INDEX_TABLE before it");
      return;
    }
    const uint8_t* p = body.data();
    const uint8_t* end = p + body.size();
    if (end - p < 5) {
      Problem("RIB record truncated in its header");
      return;
    }
    p += 4;  // sequence number
    const int bits = *p++;
    if (bits > (v6 ? 128 : 32)) {
      Problem("RIB prefix length " + std::to_string(bits));
      return;
    }
    const int nbytes = (bits + 7) / 8;
    if (end - p < nbytes + 2) {
      Problem("RIB record truncated in its prefix");
      return;
    }
    const Prefix prefix =
        internal::PrefixFromWire(fam, p, bits, nbytes, static_cast<size_t>(end - p));
    p += nbytes;
    const uint16_t count = Get16(p);
    p += 2;
    ReserveAttrs(count);
    const size_t npeers = pit_.peers.size();
    Element e = Base(ElementSource::kTableDump2);
    e.type = ElementType::kRibEntry;
    e.has_path_id = addpath;
    e.prefix = prefix;
    const size_t entry_fixed = addpath ? 12 : 8;
    for (uint16_t i = 0; i < count; ++i) {
      if (static_cast<size_t>(end - p) < entry_fixed) {
        Problem("RIB entry " + std::to_string(i) + " of " + std::to_string(count) +
                " truncated in its header");
        return;
      }
      const uint16_t peer_index = Get16(p);
      const uint32_t originated = Get32(p + 2);
      p += 6;
      uint32_t path_id = 0;
      if (addpath) {
        path_id = Get32(p);
        p += 4;
      }
      const size_t alen = Get16(p);
      p += 2;
      size_t avail = static_cast<size_t>(end - p);
      if (alen > avail) {
        Problem("RIB entry " + std::to_string(i) + " attribute length " + std::to_string(alen) +
                " overruns the record (" + std::to_string(avail) + " bytes left)");
      }
      const size_t take = alen < avail ? alen : avail;
      Attributes* a = NewAttrs();
      if (!attr_dec_.Decode(std::span<const uint8_t>(p, take), AttrDecodeOptions{true, true}, a,
                            nullptr, &error_)) {
        Problem("RIB entry " + std::to_string(i) + " attributes: " + error_);
      }
      p += take;
      if (peer_index >= npeers) {
        Problem("RIB entry " + std::to_string(i) + " peer index " + std::to_string(peer_index) +
                " not in the PEER_INDEX_TABLE (" + std::to_string(npeers) + " peers)");
        continue;
      }
      // Built in place from the record's prototype (copying a just-built Element stalls on
      // store forwarding).
      const Peer& peer = pit_.peers[peer_index];
      Element& x = elements_.emplace_back(e);
      x.originated_time = originated;
      x.path_id = path_id;
      x.peer_ip = peer.ip;
      x.peer_as = peer.as;
      x.attrs = a;
      CopyIp(a->has_mp_next_hop ? a->mp_next_hop : a->next_hop, &x.next_hop);
    }
  }

  // ---- BGP4MP / BGP4MP_ET (RFC 6396 §4.4, RFC 8050 §5) ----
  void Bgp4mp(std::span<const uint8_t> body) {
    const ElementSource src =
        rec_.type == kMrtBgp4mpEt ? ElementSource::kBgp4mpEt : ElementSource::kBgp4mp;
    switch (rec_.subtype) {
      case kBgp4mpStateChange:
      case kBgp4mpStateChangeAs4:
        StateChange(body, src, rec_.subtype == kBgp4mpStateChangeAs4);
        return;
      case kBgp4mpMessage:
      case kBgp4mpMessageAs4:
      case kBgp4mpMessageLocal:
      case kBgp4mpMessageAs4Local:
      case kBgp4mpMessageAddPath:
      case kBgp4mpMessageAs4AddPath:
      case kBgp4mpMessageLocalAddPath:
      case kBgp4mpMessageAs4LocalAddPath:
        Message(body, src);
        return;
      default:  // BGP4MP_ENTRY, SNAPSHOT, unknown: not decoded (as bgpdump)
        rec_.status = RecordStatus::kSkipped;
        return;
    }
  }

  void StateChange(std::span<const uint8_t> body, ElementSource src, bool as4) {
    Cursor c(body.data(), body.size());
    Element e = Base(src);
    e.type = ElementType::kStateChange;
    e.peer_as = as4 ? c.U32() : c.U16();
    c.Skip(as4 ? 4 : 2);  // local AS
    if (body.size() == 8) {
      // Old Zebra wrote state changes without interface, AFI and addresses.
      Problem("8-byte BGP4MP STATE_CHANGE (Zebra bug): no peer address");
      e.old_state = static_cast<uint8_t>(c.U16());
      e.new_state = static_cast<uint8_t>(c.U16());
      e.peer_ip = IpAddress::V4(0);
      elements_.push_back(e);
      return;
    }
    c.Skip(2);  // interface index
    const uint16_t afi = c.U16();
    const size_t want = (afi == kAfiIpv6 ? 44 : 20) + (as4 ? 4 : 0);
    if ((afi != kAfiIpv4 && afi != kAfiIpv6)) {
      Problem("STATE_CHANGE with unknown AFI " + std::to_string(afi));
      return;
    }
    if (body.size() != want) {
      Problem("STATE_CHANGE of " + std::to_string(body.size()) + " bytes, expected " +
              std::to_string(want));
      return;
    }
    const Family fam = afi == kAfiIpv6 ? Family::kIPv6 : Family::kIPv4;
    e.peer_ip = ReadIp(c, fam);
    ReadIp(c, fam);  // local address
    e.old_state = static_cast<uint8_t>(c.U16());
    e.new_state = static_cast<uint8_t>(c.U16());
    elements_.push_back(e);
  }

  void Message(std::span<const uint8_t> body, ElementSource src) {
    const uint16_t st = rec_.subtype;
    const bool as4 = st == kBgp4mpMessageAs4 || st == kBgp4mpMessageAs4Local ||
                     st == kBgp4mpMessageAs4AddPath || st == kBgp4mpMessageAs4LocalAddPath;
    const bool local = st == kBgp4mpMessageLocal || st == kBgp4mpMessageAs4Local ||
                       st == kBgp4mpMessageLocalAddPath || st == kBgp4mpMessageAs4LocalAddPath;
    const bool addpath = st >= kBgp4mpMessageAddPath;
    Cursor c(body.data(), body.size());
    const uint32_t peer_as = as4 ? c.U32() : c.U16();
    c.Skip(as4 ? 4 : 2);  // local AS
    const uint16_t ifindex = c.U16();
    const uint16_t afi = c.U16();
    if (c.overrun()) {
      Problem("BGP4MP message truncated in its header");
      return;
    }
    Element e = Base(src);
    e.local = local;
    e.has_path_id = addpath;
    e.peer_as = peer_as;
    if (afi == kAfiIpv4 || afi == kAfiIpv6) {
      const Family fam = afi == kAfiIpv6 ? Family::kIPv6 : Family::kIPv4;
      ReadIpInto(c, fam, &e.peer_ip);
      c.Skip(fam == Family::kIPv6 ? 16 : 4);  // local address
    } else if (afi == 0xFFFF && ifindex == 0xFFFF) {
      // Zebra wrote OPENs without interface and addresses; 4 marker bytes were eaten too.
      return;
    } else {
      Problem("BGP4MP message with unknown AFI " + std::to_string(afi));
      return;
    }
    if (c.left() < kBgpHeaderLength) {
      Problem("BGP4MP message truncated in the BGP header");
      return;
    }
    const uint8_t* m = c.pos();
    for (int i = 0; i < 16; ++i) {
      if (m[i] != 0xFF) {
        Problem("BGP message with a bad marker");
        return;
      }
    }
    const size_t size = Get16(m + 16);
    const uint8_t type = m[18];
    if (size < kBgpHeaderLength) {
      Problem("BGP message length " + std::to_string(size) + " below the header size");
      return;
    }
    size_t msg_len = size - kBgpHeaderLength;
    const size_t avail = c.left() - kBgpHeaderLength;
    if (msg_len > avail) {
      Problem("BGP message of " + std::to_string(size) + " bytes cut to " +
              std::to_string(avail + kBgpHeaderLength) + " by the record length");
      msg_len = avail;
    }
    std::span<const uint8_t> msg(m + kBgpHeaderLength, msg_len);
    switch (type) {
      case kBgpMsgUpdate:
        Update(msg, as4, addpath, e);
        return;
      case kBgpMsgOpen:
      case kBgpMsgNotification:
      case kBgpMsgKeepalive:
      case kBgpMsgRouteRefresh:
        return;  // no route elements
      default:
        Problem("unknown BGP message type " + std::to_string(type));
        return;
    }
  }

  // A BGP UPDATE body (after the 19-byte header; RFC 4271 §4.3). `e` carries the peer fields and
  // is used as the prototype of every element (modified in place).
  void Update(std::span<const uint8_t> msg, bool as4, bool addpath, Element& e) {
    internal::DecodeUpdate(msg, as4, addpath, e, NewAttrs(), attr_dec_, &error_, &elements_,
                           [this](std::string what) { Problem(std::move(what)); });
  }

  // ---- deprecated BGP, type 5 (RFC 6396 Appendix B.2.5) ----
  void Bgp(std::span<const uint8_t> body) {
    Cursor c(body.data(), body.size());
    switch (rec_.subtype) {
      case kBgpUpdate: {
        Element e = Base(ElementSource::kBgp);
        e.peer_as = c.U16();
        e.peer_ip = IpAddress::V4(c.U32());
        c.Skip(6);  // local AS and address
        if (c.overrun()) {
          Problem("BGP UPDATE record truncated in its header");
          return;
        }
        Update(std::span<const uint8_t>(c.pos(), c.left()), false, false, e);
        return;
      }
      case kBgpStateChange: {
        Element e = Base(ElementSource::kBgp);
        e.type = ElementType::kStateChange;
        e.peer_as = c.U16();
        e.peer_ip = IpAddress::V4(c.U32());
        e.old_state = static_cast<uint8_t>(c.U16());
        e.new_state = static_cast<uint8_t>(c.U16());
        if (c.overrun()) {
          Problem("BGP STATE_CHANGE record truncated");
          return;
        }
        elements_.push_back(e);
        return;
      }
      case kBgpOpen:
      case kBgpNotify:
      case kBgpKeepalive:
        return;
      default:
        rec_.status = RecordStatus::kSkipped;
        return;
    }
  }

  Record rec_;
  std::vector<std::string>* problems_ = nullptr;
  std::vector<Element> elements_;
  std::vector<Attributes> attrs_;
  size_t attrs_used_ = 0;
  std::string error_;  // the last attribute problem (scratch)
  AttributeDecoder attr_dec_;
  PeerIndexTable pit_;
  bool has_pit_ = false;
};

RecordDecoder::RecordDecoder() : state_(std::make_unique<State>()) {}
RecordDecoder::~RecordDecoder() = default;

const Record& RecordDecoder::Decode(uint32_t time, uint16_t type, uint16_t subtype,
                                    std::span<const uint8_t> body,
                                    std::vector<std::string>* problems) {
  uint32_t usec = 0;
  if (type == kMrtBgp4mpEt) {
    if (body.size() < 4) return state_->Fail(time, type, subtype, body, problems);
    usec = Get32(body.data());
    body = body.subspan(4);
  }
  return state_->Decode(time, usec, type, subtype, body, problems);
}

const PeerIndexTable* RecordDecoder::peer_index() const { return state_->peer_index(); }

}  // namespace blackout::mrt
