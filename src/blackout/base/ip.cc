#include "blackout/base/ip.h"

#include <arpa/inet.h>

#include <charconv>

namespace blackout {

Result<IpAddress> IpAddress::Parse(std::string_view text) {
  char buf[INET6_ADDRSTRLEN + 1];
  // A NUL byte would end the C string inet_pton reads and hide what follows it.
  if (text.empty() || text.size() >= sizeof(buf) || text.find('\0') != std::string_view::npos) {
    return InvalidArgument("not an IP address: '" + std::string(text) + "'");
  }
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  uint8_t raw[16];
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buf, raw) == 1) return FromBytes(Family::kIPv4, {raw, 4});
  } else if (inet_pton(AF_INET6, buf, raw) == 1) {
    return FromBytes(Family::kIPv6, {raw, 16});
  }
  return InvalidArgument("not an IP address: '" + std::string(text) + "'");
}

void IpAddress::AppendTo(std::string& out) const {
  if (is_v4()) {
    char buf[16];
    char* p = buf;
    for (int i = 0; i < 4; ++i) {
      if (i) *p++ = '.';
      p = std::to_chars(p, buf + sizeof(buf), bytes_[i]).ptr;
    }
    out.append(buf, p);
    return;
  }
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, bytes_.data(), buf, sizeof(buf));
  out += buf;
}

std::string IpAddress::ToString() const {
  std::string s;
  AppendTo(s);
  return s;
}

Result<Prefix> Prefix::Parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr = IpAddress::Parse(text.substr(0, slash));
  if (!addr.ok()) return InvalidArgument("not a prefix: '" + std::string(text) + "'");
  int len = addr->bits();
  if (slash != std::string_view::npos) {
    auto rest = text.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), len);
    if (ec != std::errc() || ptr != rest.data() + rest.size() || rest.empty() || len < 0 ||
        len > addr->bits()) {
      return InvalidArgument("bad prefix length in '" + std::string(text) + "'");
    }
  }
  return Prefix(*addr, static_cast<uint8_t>(len));
}

Prefix Prefix::Masked() const {
  auto bytes = addr_.bytes();
  int n = addr_.is_v4() ? 4 : 16;
  for (int i = 0; i < n; ++i) {
    int keep = static_cast<int>(length_) - i * 8;
    if (keep >= 8) continue;
    bytes[i] &= keep <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - keep));
  }
  return Prefix(IpAddress::FromBytes(addr_.family(), {bytes.data(), size_t(n)}), length_);
}

bool Prefix::Contains(const IpAddress& a) const {
  if (a.family() != family()) return false;
  const auto& x = addr_.bytes();
  const auto& y = a.bytes();
  int full = length_ / 8;
  if (std::memcmp(x.data(), y.data(), full) != 0) return false;
  int rem = length_ % 8;
  if (rem == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rem));
  return (x[full] & mask) == (y[full] & mask);
}

void Prefix::AppendTo(std::string& out) const {
  addr_.AppendTo(out);
  out += '/';
  char buf[4];
  out.append(buf, std::to_chars(buf, buf + 4, length_).ptr);
}

std::string Prefix::ToString() const {
  std::string s;
  AppendTo(s);
  return s;
}

}  // namespace blackout
