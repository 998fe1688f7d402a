// The BGP UPDATE walker (RFC 4271 §4.3; RFC 4760 for MP_REACH/MP_UNREACH; RFC 7911 ADD-PATH), as a
// template so the MRT record decoder and UpdateDecoder (BMP) build their elements in place with
// the same code. Internal to the mrt module.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "blackout/mrt/bgp_decoder.h"
#include "blackout/mrt/element.h"
#include "blackout/mrt/internal/nlri.h"
#include "blackout/mrt/internal/wire.h"

namespace blackout::mrt::internal {

inline bool ValidMpFamily(uint16_t afi, uint8_t safi) {
  return (afi == kAfiIpv4 || afi == kAfiIpv6) && safi >= kSafiUnicast &&
         safi <= kSafiUnicastMulticast;
}

inline void CopyIp(const IpAddress& from, IpAddress* to) {
  to->Assign(from.family(), from.bytes().data());
}

// One element per prefix of `bytes`, built in place from `e`.
inline Status EmitNlri(std::span<const uint8_t> bytes, Family fam, bool addpath, const Element& e,
                       std::vector<Element>* elements) {
  return WalkNlri(bytes, fam, addpath, [&](const PrefixOnWire& w, uint32_t path_id) {
    Element& x = elements->emplace_back(e);
    w.AssignTo(&x.prefix);
    x.path_id = path_id;
  });
}

// `problem(std::string)` is called for every problem found.
template <typename ProblemFn>
void EmitList(std::span<const uint8_t> bytes, Family fam, bool addpath, const Element& e,
              const char* what, std::vector<Element>* elements, ProblemFn&& problem) {
  if (bytes.empty()) return;
  const size_t mark = elements->size();
  Status st = EmitNlri(bytes, fam, addpath, e, elements);
  if (!st.ok() && !addpath) {
    // Some daemons (old BIRD) wrote ADD-PATH NLRI (RFC 7911) in non-ADD-PATH records.
    elements->resize(mark);
    Element with_ids = e;
    with_ids.has_path_id = true;
    if (EmitNlri(bytes, fam, true, with_ids, elements).ok()) {
      problem(std::string(what) + ": " + st.message() +
              "; decoded as ADD-PATH NLRI (path identifiers in a non-ADD-PATH record)");
      return;
    }
    elements->resize(mark);
    (void)EmitNlri(bytes, fam, false, e, elements);
  }
  if (!st.ok()) problem(std::string(what) + ": " + st.message());
}

// A BGP UPDATE body (after the 19-byte header). `e` carries the peer fields and is used as the
// prototype of every element (modified in place); `a` receives the path attributes. Withdrawals
// first, then announcements (the order bgpdump prints).
template <typename ProblemFn>
void DecodeUpdate(std::span<const uint8_t> msg, bool as4, bool addpath, Element& e, Attributes* a,
                  AttributeDecoder& dec, std::string* error, std::vector<Element>* elements,
                  ProblemFn&& problem) {
  const uint8_t* p = msg.data();
  const uint8_t* end = p + msg.size();
  if (end - p < 2) {
    problem(std::string("UPDATE truncated before the withdrawn routes length"));
    return;
  }
  size_t wlen = Get16(p);
  p += 2;
  if (wlen > static_cast<size_t>(end - p)) {
    problem("UPDATE withdrawn routes length " + std::to_string(wlen) + " overruns the message");
    wlen = static_cast<size_t>(end - p);
  }
  std::span<const uint8_t> withdrawn(p, wlen);
  p += wlen;
  size_t alen = 0;
  if (end - p >= 2) {
    alen = Get16(p);
    p += 2;
  } else if (p < end) {
    problem(std::string("UPDATE truncated in the path attribute length"));
    p = end;
  }
  if (alen > static_cast<size_t>(end - p)) {
    problem("UPDATE path attribute length " + std::to_string(alen) + " overruns the message");
    alen = static_cast<size_t>(end - p);
  }
  std::span<const uint8_t> block(p, alen);
  p += alen;
  std::span<const uint8_t> nlri(p, static_cast<size_t>(end - p));

  MpInfo mp;
  if (!dec.Decode(block, AttrDecodeOptions{as4, false}, a, &mp, error)) {
    problem("UPDATE attributes: " + *error);
  }

  e.type = ElementType::kWithdraw;
  EmitList(withdrawn, Family::kIPv4, addpath, e, "withdrawn routes", elements, problem);
  if (mp.unreach.present && ValidMpFamily(mp.unreach.afi, mp.unreach.safi)) {
    e.mp = true;
    EmitList(mp.unreach.nlri, mp.unreach.afi == kAfiIpv6 ? Family::kIPv6 : Family::kIPv4, addpath,
             e, "MP_UNREACH_NLRI", elements, problem);
  }
  e.mp = false;
  e.type = ElementType::kAnnounce;
  e.attrs = a;
  CopyIp(a->next_hop, &e.next_hop);
  EmitList(nlri, Family::kIPv4, addpath, e, "NLRI", elements, problem);
  if (mp.reach.present && ValidMpFamily(mp.reach.afi, mp.reach.safi)) {
    e.mp = true;
    CopyIp(a->mp_next_hop, &e.next_hop);
    EmitList(mp.reach.nlri, mp.reach.afi == kAfiIpv6 ? Family::kIPv6 : Family::kIPv4, addpath, e,
             "MP_REACH_NLRI", elements, problem);
  }
}

}  // namespace blackout::mrt::internal
