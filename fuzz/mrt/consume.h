// Reads every field an Element or Attributes views, so that AddressSanitizer catches spans that
// point outside live memory, and formats each element both ways (`bgpdump -m` line and JSON) so the
// formatters see every decoded shape. Shared by the MRT fuzz targets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "blackout/mrt/element.h"
#include "blackout/mrt/format.h"

namespace blackout::fuzz {

inline uint64_t Consume(const mrt::Attributes& a) {
  uint64_t h = static_cast<uint64_t>(a.origin) + a.med + a.local_pref + a.aggregator_as;
  for (const auto& s : a.as_path.segments) h += static_cast<uint64_t>(s.type) + s.count;
  for (uint32_t asn : a.as_path.asns) h += asn;
  for (uint32_t c : a.communities) h += c;
  for (const auto& c : a.large_communities) h += c.global_admin + c.local1 + c.local2;
  for (uint32_t c : a.cluster_list) h += c;
  for (const auto& r : a.unknown) {
    h += r.flags + r.type;
    for (uint8_t b : r.value) h += b;
  }
  h += a.as_path.OriginAs();
  h += a.next_hop.ToString().size() + a.mp_next_hop.ToString().size();
  return h;
}

inline uint64_t Consume(const mrt::Element& e) {
  uint64_t h = static_cast<uint64_t>(e.type) + e.time + e.peer_as + e.path_id + e.old_state;
  h += e.peer_ip.ToString().size() + e.prefix.ToString().size() + e.next_hop.ToString().size();
  if (e.attrs != nullptr) h += Consume(*e.attrs);
  std::string line;
  mrt::AppendBgpdumpLine(e, line);
  mrt::AppendJson(e, line);
  return h + line.size();
}

// The lines of a record as `mrt dump` writes them (a TextBuffer whose caches of times, peers,
// prefixes and community text live from record to record) must equal the lines formatted one by
// one without any cache; a difference aborts, so the fuzzer reports it as a crash.
inline void CheckCachedLines(const mrt::Record& r) {
  static mrt::TextBuffer shared;
  shared.clear();
  mrt::AppendBgpdumpLines(r.elements, shared);
  std::string fresh;
  for (const auto& e : r.elements) mrt::AppendBgpdumpLine(e, fresh);
  if (shared.view() != fresh) __builtin_trap();
}

inline uint64_t Consume(const mrt::Record& r) {
  uint64_t h = r.type + r.subtype + r.length;
  for (uint8_t b : r.body) h += b;
  for (const auto& e : r.elements) h += Consume(e);
  CheckCachedLines(r);
  if (r.peer_index != nullptr) h += r.peer_index->peers.size() + r.peer_index->view_name.size();
  return h;
}

}  // namespace blackout::fuzz
