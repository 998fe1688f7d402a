#include "blackout/probe/safety.h"

#include <algorithm>
#include <array>
#include <fstream>

namespace blackout::probe {
namespace {

// IANA IPv4 Special-Purpose Address Registry (RFC 6890, updated by RFC 7335, 7450, 7526, 7534,
// 7535, 8155), plus multicast (RFC 5771), reserved (RFC 1112) and limited broadcast (RFC 919).
constexpr std::array<SpecialRange, 19> kSpecial = {{
    {"0.0.0.0/8", "this network (RFC 791)"},
    {"10.0.0.0/8", "private-use (RFC 1918)"},
    {"100.64.0.0/10", "shared address space (RFC 6598)"},
    {"127.0.0.0/8", "loopback (RFC 1122)"},
    {"169.254.0.0/16", "link-local (RFC 3927)"},
    {"172.16.0.0/12", "private-use (RFC 1918)"},
    {"192.0.0.0/24", "IETF protocol assignments (RFC 6890)"},
    {"192.0.2.0/24", "documentation TEST-NET-1 (RFC 5737)"},
    {"192.31.196.0/24", "AS112-v4 (RFC 7535)"},
    {"192.52.193.0/24", "AMT (RFC 7450)"},
    {"192.88.99.0/24", "deprecated 6to4 relay anycast (RFC 7526)"},
    {"192.168.0.0/16", "private-use (RFC 1918)"},
    {"192.175.48.0/24", "direct delegation AS112 (RFC 7534)"},
    {"198.18.0.0/15", "benchmarking (RFC 2544)"},
    {"198.51.100.0/24", "documentation TEST-NET-2 (RFC 5737)"},
    {"203.0.113.0/24", "documentation TEST-NET-3 (RFC 5737)"},
    {"224.0.0.0/4", "multicast (RFC 5771)"},
    {"240.0.0.0/4", "reserved (RFC 1112)"},
    {"255.255.255.255/32", "limited broadcast (RFC 919)"},
}};

uint32_t Lo(const Prefix& p) {
  uint32_t a = p.address().v4();
  return p.length() == 0 ? 0 : a & (~uint32_t{0} << (32 - p.length()));
}
uint32_t Hi(const Prefix& p) {
  return p.length() == 0 ? ~uint32_t{0} : Lo(p) | ~(~uint32_t{0} << (32 - p.length()));
}

}  // namespace

std::span<const SpecialRange> BuiltinSpecialRanges() { return kSpecial; }

void Ipv4RangeSet::Add(const Prefix& p, std::string label) {
  ranges_.push_back(Range{Lo(p), Hi(p), std::move(label)});
}

void Ipv4RangeSet::Finish() {
  std::stable_sort(ranges_.begin(), ranges_.end(),
                   [](const Range& a, const Range& b) { return a.lo < b.lo; });
  max_hi_.resize(ranges_.size());
  uint32_t m = 0;
  for (size_t i = 0; i < ranges_.size(); ++i) max_hi_[i] = m = std::max(m, ranges_[i].hi);
}

const std::string* Ipv4RangeSet::Find(uint32_t addr) const {
  // Candidates start at or before addr; scanning back stops once no earlier range reaches addr.
  size_t i = std::upper_bound(ranges_.begin(), ranges_.end(), addr,
                              [](uint32_t a, const Range& r) { return a < r.lo; }) -
             ranges_.begin();
  while (i > 0 && max_hi_[i - 1] >= addr) {
    --i;
    if (ranges_[i].hi >= addr) return &ranges_[i].label;
  }
  return nullptr;
}

bool Ipv4RangeSet::Intersects(uint32_t lo, uint32_t hi) const {
  for (const Range& r : ranges_) {
    if (r.lo <= hi && lo <= r.hi) return true;
  }
  return false;
}

SafetyPolicy::SafetyPolicy() {
  for (const SpecialRange& s : kSpecial) {
    auto p = Prefix::Parse(s.prefix);
    special_.Add(*p, std::string("special-purpose ") + s.prefix + " " + s.what);
  }
  special_.Finish();
}

Status SafetyPolicy::AllowSpecial(const Prefix& p) {
  if (!p.address().is_v4())
    return InvalidArgument("allowlist: only IPv4 prefixes: " + p.ToString());
  allowed_special_.Add(p.Masked(), p.Masked().ToString());
  allowed_special_.Finish();
  return Status::Ok();
}

Status SafetyPolicy::BlockUser(const Prefix& p, std::string why) {
  if (!p.address().is_v4())
    return InvalidArgument("blocklist: only IPv4 prefixes: " + p.ToString());
  user_.Add(p.Masked(), "user blocklist " + p.Masked().ToString() + " (" + why + ")");
  user_.Finish();
  return Status::Ok();
}

Status SafetyPolicy::LoadUserBlocklist(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return IoError("cannot open blocklist " + file.string());
  std::string line;
  uint64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    auto e = line.find_last_not_of(" \t\r");
    auto p = Prefix::Parse(std::string_view(line).substr(b, e - b + 1));
    if (!p.ok()) {
      return p.status().WithLocation({.file = file.string(), .line = n});
    }
    if (!p->address().is_v4()) {
      return Status(StatusCode::kInvalidArgument, "blocklist: only IPv4 prefixes",
                    {.file = file.string(), .line = n});
    }
    user_.Add(p->Masked(), "user blocklist " + p->Masked().ToString() + " (" + file.string() +
                               " line " + std::to_string(n) + ")");
  }
  user_.Finish();
  return Status::Ok();
}

std::string SafetyPolicy::WhyBlocked(uint32_t addr) const {
  if (const std::string* u = user_.Find(addr)) return *u;
  if (const std::string* s = special_.Find(addr)) {
    if (!allowed_special_.Contains(addr)) return *s;
  }
  return {};
}

bool SafetyPolicy::Allowed(uint32_t addr) const {
  if (user_.Contains(addr)) return false;
  return !special_.Contains(addr) || allowed_special_.Contains(addr);
}

}  // namespace blackout::probe
