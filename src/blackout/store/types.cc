#include "blackout/store/types.h"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>

#include "blackout/store/signals.h"

namespace blackout::store {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string CanonicalSignal(std::string_view name) {
  if (const SignalInfo* s = FindSignal(name)) return std::string(s->name);
  return Lower(name);
}

std::string IodaDatasource(std::string_view signal) {
  if (const SignalInfo* s = FindSignal(signal); s && s->name == signal) {
    return std::string(s->datasource);
  }
  return std::string(signal);
}

Status ValidateEntity(std::string_view entity) {
  if (entity.empty() || entity.size() > 128) {
    return InvalidArgument("entity must be TYPE/CODE of 1 to 128 characters: '" +
                           std::string(entity) + "'");
  }
  size_t slash = entity.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == entity.size()) {
    return InvalidArgument("entity must be TYPE/CODE (e.g. country/KZ): '" + std::string(entity) +
                           "'");
  }
  for (size_t i = 0; i < slash; ++i) {
    char c = entity[i];
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
      return InvalidArgument("entity type must be [a-z0-9_-]: '" + std::string(entity) + "'");
    }
  }
  for (size_t i = slash + 1; i < entity.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(entity[i]);
    if (c <= 0x20 || c >= 0x7f) {
      return InvalidArgument("entity code must be printable ASCII without spaces: '" +
                             std::string(entity) + "'");
    }
  }
  return Status::Ok();
}

Status ValidateSignal(std::string_view signal) {
  if (signal.empty() || signal.size() > 64) {
    return InvalidArgument("signal name must be 1 to 64 characters: '" + std::string(signal) + "'");
  }
  for (char c : signal) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
      return InvalidArgument("signal name must be [a-z0-9._-]: '" + std::string(signal) + "'");
    }
  }
  return Status::Ok();
}

std::string_view EntityTypeOf(std::string_view entity) {
  size_t slash = entity.find('/');
  return slash == std::string_view::npos ? std::string_view() : entity.substr(0, slash);
}

std::string SeriesKey::ToString() const { return entity + "|" + signal + "|" + source; }

size_t SeriesKeyHash::operator()(const SeriesKey& k) const {
  std::hash<std::string> h;
  size_t x = h(k.entity);
  x ^= h(k.signal) + 0x9e3779b97f4a7c15ULL + (x << 6) + (x >> 2);
  x ^= h(k.source) + 0x9e3779b97f4a7c15ULL + (x << 6) + (x >> 2);
  return x;
}

size_t Series::present() const {
  size_t n = 0;
  for (double v : values) n += IsMissing(v) ? 0 : 1;
  return n;
}

std::string_view LevelName(Level l) {
  switch (l) {
    case Level::kNoData:
      return "no-data";
    case Level::kUnknown:
      return "unknown";
    case Level::kNormal:
      return "normal";
    case Level::kWarning:
      return "warning";
    case Level::kCritical:
      return "critical";
  }
  return "unknown";
}

std::optional<Level> ParseLevel(std::string_view name) {
  const std::string n = Lower(name);
  for (int i = 0; i < kNumLevels; ++i) {
    if (LevelName(static_cast<Level>(i)) == n) return static_cast<Level>(i);
  }
  return std::nullopt;
}

double Alert::ratio() const {
  if (IsMissing(value) || IsMissing(expected) || expected == 0) return kMissing;
  return value / expected;
}

std::string_view PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kReducedConnectivity:
      return "reduced-connectivity";
    case Phase::kNearTotalBlackout:
      return "near-total-blackout";
    case Phase::kPartialRecovery:
      return "partial-recovery";
    case Phase::kTotalRecovery:
      return "total-recovery";
    case Phase::kNoData:
      return "no-data";
  }
  return "reduced-connectivity";
}

Result<Phase> ParsePhase(std::string_view name) {
  for (Phase p : {Phase::kReducedConnectivity, Phase::kNearTotalBlackout, Phase::kPartialRecovery,
                  Phase::kTotalRecovery, Phase::kNoData}) {
    if (PhaseName(p) == name) return p;
  }
  return InvalidArgument("unknown phase '" + std::string(name) + "'");
}

std::string_view TechniqueName(Technique t) {
  switch (t) {
    case Technique::kUnknown:
      return "unknown";
    case Technique::kRoutesWithdrawn:
      return "routes-withdrawn";
    case Technique::kPacketsFiltered:
      return "packets-filtered";
    case Technique::kThrottling:
      return "throttling";
    case Technique::kMixed:
      return "mixed";
  }
  return "unknown";
}

Result<Technique> ParseTechnique(std::string_view name) {
  if (name.empty()) return Technique::kUnknown;
  for (Technique t : {Technique::kUnknown, Technique::kRoutesWithdrawn, Technique::kPacketsFiltered,
                      Technique::kThrottling, Technique::kMixed}) {
    if (TechniqueName(t) == name) return t;
  }
  return InvalidArgument("unknown technique '" + std::string(name) + "'");
}

std::string Event::EffectiveId() const {
  return id.empty() ? entity + "@" + std::to_string(start) : id;
}

std::string_view IngestStateName(IngestState s) {
  return s == IngestState::kPartial ? "partial" : "complete";
}

// Two 64-bit lanes over 8-byte words with multiply/xor-shift mixing (a simple design of our own in
// the spirit of murmur/wyhash finalisers). Deterministic: little-endian word reads are spelled out.
namespace {

inline uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

inline uint64_t Word(const unsigned char* p) {
  uint64_t w = 0;
  for (int i = 7; i >= 0; --i) w = (w << 8) | p[i];
  return w;
}

class Hasher {
 public:
  void Update(const unsigned char* p, size_t n) {
    total_ += n;
    while (n > 0) {
      size_t take = std::min(n, sizeof(buf_) - fill_);
      std::memcpy(buf_ + fill_, p, take);
      fill_ += take;
      p += take;
      n -= take;
      if (fill_ == sizeof(buf_)) {
        Block(buf_);
        fill_ = 0;
      }
    }
  }
  std::string Finish() {
    unsigned char tail[16] = {};
    std::memcpy(tail, buf_, fill_);
    tail[15] = static_cast<unsigned char>(fill_ + 1);
    Block(tail);
    uint64_t x = Mix(a_ ^ total_);
    uint64_t y = Mix(b_ + x);
    x = Mix(x ^ y);
    char out[33];
    std::snprintf(out, sizeof(out), "%016llx%016llx", static_cast<unsigned long long>(x),
                  static_cast<unsigned long long>(y));
    return out;
  }

 private:
  void Block(const unsigned char* p) {
    uint64_t w0 = Word(p), w1 = Word(p + 8);
    a_ = Mix(a_ ^ w0) * 0x9e3779b97f4a7c15ULL + w1;
    b_ = Mix(b_ + w1) ^ (w0 * 0xbf58476d1ce4e5b9ULL);
    a_ = (a_ << 31) | (a_ >> 33);
  }
  uint64_t a_ = 0x6a09e667f3bcc908ULL;
  uint64_t b_ = 0xbb67ae8584caa73bULL;
  uint64_t total_ = 0;
  unsigned char buf_[16] = {};
  size_t fill_ = 0;
};

}  // namespace

std::string ContentHash(std::string_view bytes) {
  Hasher h;
  h.Update(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return h.Finish();
}

Result<std::string> HashFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot open " + path + ": " + std::strerror(errno));
  Hasher h;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize got = in.gcount();
    if (got > 0)
      h.Update(reinterpret_cast<const unsigned char*>(buf.data()), static_cast<size_t>(got));
  }
  if (in.bad()) return IoError("cannot read " + path);
  return h.Finish();
}

}  // namespace blackout::store
