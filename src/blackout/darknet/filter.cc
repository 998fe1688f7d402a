#include "blackout/darknet/filter.h"

#include <algorithm>
#include <fstream>

namespace blackout::darknet {
namespace {

constexpr std::array<std::string_view, kNumDrops> kNames = {"kept",
                                                            "not-ip",
                                                            "malformed",
                                                            "special-source",
                                                            "same-src-dst",
                                                            "src-last-octet-0",
                                                            "src-last-octet-255",
                                                            "fragment",
                                                            "abnormal-protocol",
                                                            "abnormal-tcp-flags",
                                                            "ttl-200",
                                                            "port-0",
                                                            "syn-no-options",
                                                            "window-1024",
                                                            "unrouted"};

constexpr std::array<Drop, 12> kRules = {
    Drop::kSpecialSource, Drop::kSameSrcDst,       Drop::kSrcLastOctet0,    Drop::kSrcLastOctet255,
    Drop::kFragment,      Drop::kAbnormalProtocol, Drop::kAbnormalTcpFlags, Drop::kTtl200,
    Drop::kPort0,         Drop::kSynNoOptions,     Drop::kWindow1024,       Drop::kUnrouted};

struct Block4 {
  uint32_t net;
  int len;
};
// RFC 6890 section 2.2.2 (IPv4 special-purpose registry), plus multicast (RFC 5771) and the
// limited broadcast: no host on the Internet sends from these.
constexpr Block4 kSpecial4[] = {
    {0x00000000, 8},  {0x0A000000, 8},  {0x64400000, 10}, {0x7F000000, 8},  {0xA9FE0000, 16},
    {0xAC100000, 12}, {0xC0000000, 24}, {0xC0000200, 24}, {0xC0586300, 24}, {0xC0A80000, 16},
    {0xC6120000, 15}, {0xC6336400, 24}, {0xCB007100, 24}, {0xE0000000, 4},  {0xF0000000, 4},
};

// The TCP flag sets real stacks send (ECE/CWR masked off: ECN may add them to any).
bool NormalTcpFlags(uint8_t flags) {
  switch (flags & 0x3f) {
    case kTcpSyn:
    case kTcpSyn | kTcpAck:
    case kTcpAck:
    case kTcpRst:
    case kTcpRst | kTcpAck:
    case kTcpFin | kTcpAck:
    case kTcpPsh | kTcpAck:
    case kTcpFin | kTcpPsh | kTcpAck:
    case kTcpUrg | kTcpAck:
    case kTcpUrg | kTcpPsh | kTcpAck:
    case kTcpRst | kTcpPsh | kTcpAck:
      return true;
    default:
      return false;
  }
}

std::string_view Trim(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t' || t.front() == '\r'))
    t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r'))
    t.remove_suffix(1);
  return t;
}

// Sorts inclusive ranges and merges the overlapping and adjacent ones.
template <typename T>
void MergeRanges(std::vector<std::pair<T, T>>& v) {
  std::sort(v.begin(), v.end());
  size_t w = 0;
  for (const auto& r : v) {
    if (w > 0 && (r.first == 0 || r.first - 1 <= v[w - 1].second)) {
      v[w - 1].second = std::max(v[w - 1].second, r.second);
    } else {
      v[w++] = r;
    }
  }
  v.resize(w);
}

}  // namespace

std::string_view DropName(Drop d) { return kNames[static_cast<size_t>(d)]; }
std::span<const Drop> FilterRules() { return kRules; }

bool SpecialSourceV4(uint32_t a) {
  for (const Block4& b : kSpecial4) {
    if ((a >> (32 - b.len)) == (b.net >> (32 - b.len))) return true;
  }
  return a == 0xFFFFFFFF;
}

bool SpecialSourceV6(const std::array<uint8_t, 16>& a) {
  // RFC 6890 section 2.2.3: ::/128, ::1/128 and the IPv4-mapped ::ffff:0:0/96 (all in ::/8 here),
  // 100::/64 discard, 2001:db8::/32 documentation, fc00::/7 unique local, fe80::/10 link local,
  // ff00::/8 multicast. 2001::/23 (IETF protocol assignments) is special but holds Teredo
  // (2001::/32), whose sources are real hosts, so only 2001:db8::/32 of it is dropped.
  if (a[0] == 0) return true;
  if (a[0] == 0x01 && a[1] == 0 && a[2] == 0 && a[3] == 0 && a[4] == 0 && a[5] == 0 && a[6] == 0 &&
      a[7] == 0)
    return true;
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) return true;
  if ((a[0] & 0xfe) == 0xfc) return true;
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return true;
  return a[0] == 0xff;
}

RoutedSpace RoutedSpace::FromPrefixes(std::span<const Prefix> prefixes) {
  RoutedSpace s;
  for (const Prefix& raw : prefixes) {
    Prefix p = raw.Masked();
    if (p.family() == Family::kIPv4) {
      uint32_t first = p.address().v4();
      uint32_t last = p.length() == 0 ? 0xFFFFFFFFu : first | (0xFFFFFFFFu >> p.length());
      s.v4_.emplace_back(first, last);
    } else {
      int len = std::min<int>(p.length(), 64);
      uint64_t first = p.address().v6_high();
      uint64_t last = len == 0 ? ~uint64_t{0} : first | (~uint64_t{0} >> len);
      s.v6_.emplace_back(first, last);
    }
  }
  MergeRanges(s.v4_);
  MergeRanges(s.v6_);
  return s;
}

Result<RoutedSpace> RoutedSpace::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read routed prefixes " + path);
  std::vector<Prefix> prefixes;
  std::string line;
  uint64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string_view t = line;
    if (auto hash = t.find('#'); hash != std::string_view::npos) t = t.substr(0, hash);
    t = Trim(t);
    if (t.empty()) continue;
    auto p = Prefix::Parse(t);
    if (!p.ok()) {
      Location where;
      where.file = path;
      where.line = n;
      return Status(StatusCode::kInvalidArgument,
                    "not a prefix: '" + std::string(t) + "' (" + p.status().message() + ")", where);
    }
    prefixes.push_back(*p);
  }
  return FromPrefixes(prefixes);
}

bool RoutedSpace::Contains(const PacketInfo& p) const {
  auto find = [](const auto& v, auto x) {
    auto it = std::upper_bound(v.begin(), v.end(), x,
                               [](auto value, const auto& r) { return value < r.first; });
    return it != v.begin() && x <= std::prev(it)->second;
  };
  if (!p.v6) return find(v4_, p.src4);
  uint64_t high = 0;
  for (int i = 0; i < 8; ++i) high = high << 8 | p.src6[i];
  return find(v6_, high);
}

Status ParseFilterRules(std::string_view text, FilterOptions* options) {
  std::array<bool, kNumDrops> enabled{};
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = Trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (item.empty()) continue;
    bool on = true;
    if (item.front() == '-') {
      on = false;
      item.remove_prefix(1);
    }
    if (item == "all" || item == "none") {
      bool v = (item == "all") == on;
      for (Drop d : kRules) enabled[static_cast<size_t>(d)] = v;
      continue;
    }
    auto it =
        std::find_if(kRules.begin(), kRules.end(), [&](Drop d) { return DropName(d) == item; });
    if (it == kRules.end()) {
      std::string valid;
      for (Drop d : kRules) valid += (valid.empty() ? "" : ", ") + std::string(DropName(d));
      return InvalidArgument("unknown noise filter '" + std::string(item) +
                             "' (valid: all, none, " + valid + ")");
    }
    enabled[static_cast<size_t>(*it)] = on;
  }
  options->enabled = enabled;
  return Status::Ok();
}

Drop NoiseFilter::Classify(const PacketInfo& p) const {
  if (on(Drop::kSpecialSource) && (p.v6 ? SpecialSourceV6(p.src6) : SpecialSourceV4(p.src4))) {
    return Drop::kSpecialSource;
  }
  if (on(Drop::kSameSrcDst) && (p.v6 ? p.src6 == p.dst6 : p.src4 == p.dst4)) {
    return Drop::kSameSrcDst;
  }
  if (!p.v6 && on(Drop::kSrcLastOctet0) && (p.src4 & 0xff) == 0) return Drop::kSrcLastOctet0;
  if (!p.v6 && on(Drop::kSrcLastOctet255) && (p.src4 & 0xff) == 0xff) {
    return Drop::kSrcLastOctet255;
  }
  if (on(Drop::kFragment) && p.fragment) return Drop::kFragment;
  const bool tcp = p.protocol == kProtoTcp;
  const bool udp = p.protocol == kProtoUdp;
  const bool icmp = p.protocol == (p.v6 ? kProtoIcmpv6 : kProtoIcmp);
  if (on(Drop::kAbnormalProtocol) && !tcp && !udp && !icmp && p.protocol != kProtoGre &&
      p.protocol != kProtoEsp && p.protocol != kProtoIpv6) {
    return Drop::kAbnormalProtocol;
  }
  if (on(Drop::kAbnormalTcpFlags) && tcp && p.transport && !NormalTcpFlags(p.tcp_flags)) {
    return Drop::kAbnormalTcpFlags;
  }
  if (on(Drop::kTtl200) && !icmp && p.ttl >= 200) return Drop::kTtl200;
  if (on(Drop::kPort0) && (tcp || udp) && p.transport && (p.sport == 0 || p.dport == 0)) {
    return Drop::kPort0;
  }
  const bool syn = tcp && p.transport && (p.tcp_flags & (kTcpSyn | kTcpAck)) == kTcpSyn;
  if (on(Drop::kSynNoOptions) && syn && p.tcp_header_len <= 20) return Drop::kSynNoOptions;
  if (on(Drop::kWindow1024) && syn && p.tcp_window == 1024) return Drop::kWindow1024;
  if (on(Drop::kUnrouted) && options_.routed != nullptr && !options_.routed->Contains(p)) {
    return Drop::kUnrouted;
  }
  return Drop::kKept;
}

}  // namespace blackout::darknet
