#include "blackout/bmp/pcap.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <map>
#include <memory>
#include <tuple>

#include "blackout/base/ip.h"

namespace blackout::bmp {
namespace {

constexpr int kDltNull = 0, kDltEthernet = 1, kDltRaw = 12, kDltRawAlt = 101, kDltLinuxSll = 113,
              kDltLoop = 108;
constexpr uint8_t kTcpSyn = 0x02;

uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t Get32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

struct Segment {
  uint32_t seq = 0;
  bool syn = false;
  std::vector<uint8_t> data;
};

struct Connection {
  TcpStream stream;
  bool has_base = false;
  uint32_t base = 0;  // sequence number of the first payload byte
  std::vector<Segment> segments;
};

// Where the IP header starts for a link type, or -1.
int IpOffset(int dlt, const uint8_t* p, size_t n) {
  switch (dlt) {
    case kDltEthernet: {
      size_t off = 12;
      while (off + 2 <= n && (Get16(p + off) == 0x8100 || Get16(p + off) == 0x88A8)) off += 4;
      if (off + 2 > n) return -1;
      const uint16_t type = Get16(p + off);
      return type == 0x0800 || type == 0x86DD ? static_cast<int>(off + 2) : -1;
    }
    case kDltRaw:
    case kDltRawAlt:
      return 0;
    case kDltLinuxSll:
      return 16;
    case kDltNull:
    case kDltLoop:
      return 4;
    default:
      return -1;
  }
}

// Puts the connection's segments in sequence order into its stream.
void Stitch(Connection& c) {
  std::stable_sort(c.segments.begin(), c.segments.end(), [&](const Segment& a, const Segment& b) {
    return static_cast<uint32_t>(a.seq - c.base) < static_cast<uint32_t>(b.seq - c.base);
  });
  uint64_t next = 0;  // offset of the next byte expected
  for (const Segment& s : c.segments) {
    const uint64_t off = static_cast<uint32_t>(s.seq - c.base);
    if (off > next) {
      ++c.stream.gaps;
      next = off;
    }
    if (off + s.data.size() <= next) {
      ++c.stream.overlaps;
      continue;
    }
    if (off < next) ++c.stream.overlaps;
    c.stream.bytes.insert(c.stream.bytes.end(), s.data.begin() + static_cast<ptrdiff_t>(next - off),
                          s.data.end());
    next = off + s.data.size();
  }
  c.segments.clear();
}

}  // namespace

Result<std::vector<TcpStream>> ReadTcpStreams(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, decltype(&pcap_close)> pc(pcap_open_offline(path.c_str(), err),
                                                    &pcap_close);
  if (!pc) return IoError("cannot read capture " + path + ": " + err);
  const int dlt = pcap_datalink(pc.get());
  using Key = std::tuple<std::string, std::string>;
  std::map<Key, size_t> open;  // (source, destination) -> index in `conns`
  std::vector<Connection> conns;
  pcap_pkthdr* hdr = nullptr;
  const u_char* pkt = nullptr;
  int rc;
  while ((rc = pcap_next_ex(pc.get(), &hdr, &pkt)) == 1) {
    const size_t n = hdr->caplen;
    const int ip = IpOffset(dlt, pkt, n);
    if (ip < 0 || static_cast<size_t>(ip) + 20 > n) continue;
    const uint8_t* p = pkt + ip;
    size_t left = n - static_cast<size_t>(ip);
    const int version = p[0] >> 4;
    size_t ip_len, total;
    uint8_t proto;
    Family fam;
    if (version == 4) {
      ip_len = static_cast<size_t>(p[0] & 15) * 4;
      total = Get16(p + 2);
      proto = p[9];
      fam = Family::kIPv4;
    } else if (version == 6 && left >= 40) {
      ip_len = 40;  // extension headers are not followed (none in BMP captures)
      total = 40 + Get16(p + 4);
      proto = p[6];
      fam = Family::kIPv6;
    } else {
      continue;
    }
    if (proto != 6 || ip_len < 20 || total > left || ip_len + 20 > total) continue;
    const size_t alen = fam == Family::kIPv4 ? 4 : 16;
    const IpAddress src = IpAddress::FromBytes(
        fam, std::span<const uint8_t>(p + (fam == Family::kIPv4 ? 12 : 8), alen));
    const IpAddress dst = IpAddress::FromBytes(
        fam, std::span<const uint8_t>(p + (fam == Family::kIPv4 ? 16 : 24), alen));
    const uint8_t* tcp = p + ip_len;
    const size_t tcp_len = static_cast<size_t>(tcp[12] >> 4) * 4;
    if (tcp_len < 20 || ip_len + tcp_len > total) continue;
    const uint8_t flags = tcp[13];
    const uint32_t seq = Get32(tcp + 4);
    auto name = [&](const IpAddress& a, uint16_t port) {
      return (fam == Family::kIPv6 ? "[" + a.ToString() + "]" : a.ToString()) + ":" +
             std::to_string(port);
    };
    Key key{name(src, Get16(tcp)), name(dst, Get16(tcp + 2))};
    auto it = open.find(key);
    if (it == open.end() || (flags & kTcpSyn)) {
      if (it != open.end()) Stitch(conns[it->second]);
      conns.emplace_back();
      Connection& c = conns.back();
      c.stream.source = std::get<0>(key);
      c.stream.destination = std::get<1>(key);
      c.stream.source_address = src.ToString();
      c.stream.first_time = static_cast<double>(hdr->ts.tv_sec) + hdr->ts.tv_usec * 1e-6;
      it = open.insert_or_assign(key, conns.size() - 1).first;
    }
    Connection& c = conns[it->second];
    const size_t payload = total - ip_len - tcp_len;
    if (payload == 0) continue;
    if (!c.has_base) {
      c.has_base = true;
      c.base = seq;  // data on a SYN starts at the SYN's number (see the header)
    }
    ++c.stream.segments;
    const uint8_t* data = tcp + tcp_len;
    c.segments.push_back(Segment{seq, (flags & kTcpSyn) != 0, {data, data + payload}});
  }
  if (rc == PCAP_ERROR) {
    return DataLoss("capture " + path + " damaged: " + pcap_geterr(pc.get()));
  }
  std::vector<TcpStream> out;
  for (Connection& c : conns) {
    Stitch(c);
    if (!c.stream.bytes.empty()) out.push_back(std::move(c.stream));
  }
  return out;
}

}  // namespace blackout::bmp
