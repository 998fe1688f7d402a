// One JSON object per element (format.h AppendJson).
#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>

#include "blackout/mrt/format.h"
#include "blackout/mrt/internal/names.h"

namespace blackout::mrt {
namespace {

using internal::Bgp4mpName;

inline void AppendU32(uint32_t v, std::string& out) {
  char buf[12];
  out.append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

void JsonString(std::string_view s, std::string& out) {
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += '"';
}

const char* OriginName(const Attributes& a) {
  if (!a.present.has(kAttrOrigin)) return "INCOMPLETE";
  switch (static_cast<uint8_t>(a.origin)) {
    case 0:
      return "IGP";
    case 1:
      return "EGP";
    default:
      return "INCOMPLETE";
  }
}

const char* SourceName(const Element& e) {
  switch (e.source) {
    case ElementSource::kTableDump:
      return "TABLE_DUMP";
    case ElementSource::kTableDump2:
      return e.has_path_id ? "TABLE_DUMP2_AP" : "TABLE_DUMP2";
    case ElementSource::kBgp:
      return "BGP";
    default:
      return Bgp4mpName(e);
  }
}

const char* TypeCode(ElementType t) {
  switch (t) {
    case ElementType::kRibEntry:
      return "B";
    case ElementType::kAnnounce:
      return "A";
    case ElementType::kWithdraw:
      return "W";
    case ElementType::kStateChange:
      return "STATE";
  }
  return "?";
}

// The list-valued attributes and the rest of an element's attributes, after "next_hop".
void AppendJsonLists(const Attributes* a, std::string& out) {
  const auto ip = [&out](const IpAddress& addr) { addr.AppendTo(out); };
  out += ",\"communities\":[";
  for (size_t i = 0; i < a->communities.size(); ++i) {
    if (i) out += ',';
    out += '"';
    AppendU32(a->communities[i] >> 16, out);
    out += ':';
    AppendU32(a->communities[i] & 0xFFFF, out);
    out += '"';
  }
  out += ']';
  if (!a->large_communities.empty()) {
    out += ",\"large_communities\":[";
    for (size_t i = 0; i < a->large_communities.size(); ++i) {
      const LargeCommunity& l = a->large_communities[i];
      if (i) out += ',';
      out += '"';
      AppendU32(l.global_admin, out);
      out += ':';
      AppendU32(l.local1, out);
      out += ':';
      AppendU32(l.local2, out);
      out += '"';
    }
    out += ']';
  }
  out += ",\"atomic_aggregate\":";
  out += a->atomic_aggregate ? "true" : "false";
  if (a->has_aggregator) {
    out += ",\"aggregator\":{\"as\":";
    AppendU32(a->aggregator_as, out);
    out += ",\"address\":\"";
    ip(a->aggregator_addr);
    out += "\"}";
  }
  if (a->has_originator_id) {
    out += ",\"originator_id\":\"";
    ip(a->originator_id);
    out += '"';
  }
  if (!a->cluster_list.empty()) {
    out += ",\"cluster_list\":[";
    for (size_t i = 0; i < a->cluster_list.size(); ++i) {
      if (i) out += ',';
      out += '"';
      ip(IpAddress::V4(a->cluster_list[i]));
      out += '"';
    }
    out += ']';
  }
  if (!a->unknown.empty()) {
    out += ",\"unknown_attributes\":[";
    static const char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < a->unknown.size(); ++i) {
      const RawAttribute& r = a->unknown[i];
      if (i) out += ',';
      out += "{\"type\":";
      AppendU32(r.type, out);
      out += ",\"flags\":";
      AppendU32(r.flags, out);
      out += ",\"value\":\"";
      for (uint8_t b : r.value) {
        out += kHex[b >> 4];
        out += kHex[b & 15];
      }
      out += "\"}";
    }
    out += ']';
  }
}

}  // namespace

void AppendJson(const Element& e, std::string& out) {
  const auto ip = [&out](const IpAddress& a) { a.AppendTo(out); };
  out += "{\"type\":\"";
  out += TypeCode(e.type);
  out += "\",\"source\":\"";
  out += SourceName(e);
  out += "\",\"time\":";
  AppendU32(e.time, out);
  if (e.source == ElementSource::kBgp4mpEt) {
    out += ",\"microseconds\":";
    AppendU32(e.microseconds, out);
  }
  out += ",\"peer_ip\":\"";
  ip(e.peer_ip);
  out += "\",\"peer_as\":";
  AppendU32(e.peer_as, out);
  if (e.type == ElementType::kStateChange) {
    out += ",\"old_state\":";
    AppendU32(e.old_state, out);
    out += ",\"new_state\":";
    AppendU32(e.new_state, out);
    out += '}';
    return;
  }
  out += ",\"prefix\":\"";
  e.prefix.AppendTo(out);
  out += '"';
  if (e.has_path_id) {
    out += ",\"path_id\":";
    AppendU32(e.path_id, out);
  }
  const Attributes* a = e.attrs;
  if (a == nullptr) {
    out += '}';
    return;
  }
  if (e.originated_time) {
    out += ",\"originated\":";
    AppendU32(e.originated_time, out);
  }
  out += ",\"as_path\":";
  std::string path;
  AppendAsPath(*a, path);
  JsonString(path, out);
  out += ",\"origin\":\"";
  out += OriginName(*a);
  out += "\",\"next_hop\":\"";
  ip(e.next_hop);
  out += '"';
  if (a->present.has(kAttrLocalPref)) {
    out += ",\"local_pref\":";
    AppendU32(a->local_pref, out);
  }
  if (a->present.has(kAttrMed)) {
    out += ",\"med\":";
    AppendU32(a->med, out);
  }
  AppendJsonLists(a, out);
  out += '}';
}

}  // namespace blackout::mrt
