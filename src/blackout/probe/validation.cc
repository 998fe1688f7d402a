#include "blackout/probe/validation.h"

#include <sys/random.h>

#include <cstring>

namespace blackout::probe {
namespace {
constexpr uint64_t kDomainAddr = 0x61646472;  // "addr"
constexpr uint64_t kDomainTag = 0x746167;     // "tag"
}  // namespace

ProbeTagger ProbeTagger::Random() {
  internal::SipKey k;
  uint64_t words[2] = {0, 0};
  size_t got = 0;
  auto* p = reinterpret_cast<uint8_t*>(words);
  while (got < sizeof words) {
    ssize_t n = getrandom(p + got, sizeof words - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  k.k0 = words[0];
  k.k1 = words[1];
  return ProbeTagger(k);
}

ProbeTagger ProbeTagger::FromSeed(uint64_t seed) {
  return ProbeTagger({seed * 0x9e3779b97f4a7c15ULL + 1, ~seed ^ 0x5851f42d4c957f2dULL});
}

uint64_t ProbeTagger::Hash(uint64_t x, uint64_t domain) const {
  const uint64_t w[2] = {x, domain};
  return internal::SipHash24(key_, w);
}

Echo ProbeTagger::Make(uint32_t dst, uint16_t serial) const {
  Echo e;
  e.addr = dst;
  uint64_t h = Hash(dst, kDomainAddr);
  e.id = static_cast<uint16_t>(h >> 48);
  e.seq = static_cast<uint16_t>(h >> 32) ^ serial;
  uint64_t t = Hash(uint64_t{dst} << 16 | serial, kDomainTag);
  std::memcpy(e.tag.data(), &t, kTagSize);
  return e;
}

std::optional<uint16_t> ProbeTagger::Validate(const Echo& reply) const {
  uint64_t h = Hash(reply.addr, kDomainAddr);
  if (reply.id != static_cast<uint16_t>(h >> 48)) return std::nullopt;
  uint16_t serial = reply.seq ^ static_cast<uint16_t>(h >> 32);
  uint64_t t = Hash(uint64_t{reply.addr} << 16 | serial, kDomainTag);
  if (std::memcmp(reply.tag.data(), &t, kTagSize) != 0) return std::nullopt;
  return serial;
}

}  // namespace blackout::probe
