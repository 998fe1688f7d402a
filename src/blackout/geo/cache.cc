// The binary cache of GeoDbData: see docs/geo.md ("Cache"). Host byte order; a magic, a format
// version and a trailing length check guard against foreign or truncated files.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "blackout/geo/internal/geodb_impl.h"
#include "blackout/geo/internal/iso_codes.h"

namespace blackout::geo::internal {
namespace fs = std::filesystem;
namespace {

constexpr char kMagic[8] = {'B', 'O', 'G', 'E', 'O', 'C', '0', '3'};

class Writer {
 public:
  void U64(uint64_t v) { Raw(&v, sizeof v); }
  void U32(uint32_t v) { Raw(&v, sizeof v); }
  void Str(const std::string& s) {
    U64(s.size());
    out_.append(s);
  }
  template <typename T>
  void Vec(const std::vector<T>& v) {
    U64(v.size());
    Raw(v.data(), v.size() * sizeof(T));
  }
  void Raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U64(uint64_t& v) { return Raw(&v, sizeof v); }
  bool U32(uint32_t& v) { return Raw(&v, sizeof v); }
  bool Str(std::string& s) {
    uint64_t n;
    if (!U64(n) || n > in_.size() - pos_) return false;
    s.assign(in_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  template <typename T>
  bool Vec(std::vector<T>& v) {
    uint64_t n;
    if (!U64(n) || n > (in_.size() - pos_) / sizeof(T)) return false;
    v.resize(n);
    return Raw(v.data(), n * sizeof(T));
  }
  bool Raw(void* p, size_t n) {
    if (n > in_.size() - pos_) return false;
    if (n) std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

// IPv4 tables store their addresses as u32 (half the size); IPv6 ones as u64.
void PutTable(Writer& w, const RangeTable& t) {
  w.U32(static_cast<uint32_t>(t.key_bits()));
  if (t.key_bits() == 32) {
    for (const auto* col : {&t.firsts(), &t.lasts()}) {
      std::vector<uint32_t> narrow(col->begin(), col->end());
      w.Vec(narrow);
    }
  } else {
    w.Vec(t.firsts());
    w.Vec(t.lasts());
  }
  w.Vec(t.values());
}

bool GetTable(Reader& r, RangeTable& t) {
  uint32_t bits;
  std::vector<uint64_t> f, l;
  std::vector<uint32_t> v;
  if (!r.U32(bits)) return false;
  if (bits == 32) {
    std::vector<uint32_t> f32, l32;
    if (!r.Vec(f32) || !r.Vec(l32)) return false;
    f.assign(f32.begin(), f32.end());
    l.assign(l32.begin(), l32.end());
  } else if (!r.Vec(f) || !r.Vec(l)) {
    return false;
  }
  return r.Vec(v) && t.Assign(std::move(f), std::move(l), std::move(v), static_cast<int>(bits));
}

void PutStatus(Writer& w, const Status& s) {
  w.U32(static_cast<uint32_t>(s.code()));
  w.Str(s.message());
  w.Str(s.where().file);
  w.U64(s.where().line.value_or(0));
  w.U64(s.where().offset ? *s.where().offset + 1 : 0);
}

bool GetStatus(Reader& r, Status& s) {
  uint32_t code;
  std::string msg;
  Location where;
  uint64_t line, offset;
  if (!r.U32(code) || !r.Str(msg) || !r.Str(where.file) || !r.U64(line) || !r.U64(offset)) {
    return false;
  }
  if (line) where.line = line;
  if (offset) where.offset = offset - 1;
  s = Status(static_cast<StatusCode>(code), std::move(msg), std::move(where));
  return true;
}

uint64_t Fnv(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

fs::path CachePath(const GeoOptions& opt, const fs::path& packages) {
  fs::path dir = opt.cache_dir;
  if (dir.empty()) {
    const char* env = std::getenv("BLACKOUT_GEO_CACHE");
    dir = env && *env ? fs::path(env) : packages.parent_path() / ".cache" / "blackout-geo";
  }
  uint64_t h = 14695981039346656037ull;
  h = Fnv(h, std::string_view(kMagic, sizeof kMagic));
  h = Fnv(h, opt.ipv6 ? "v6" : "v4only");
  h = Fnv(h, opt.regions ? "regions" : "noregions");
  h = Fnv(h, opt.iso_dir.string());
  h = Fnv(h, MatcherFingerprint());
  std::error_code ec;
  std::vector<fs::path> inputs = {opt.iso_dir / "iso_3166-1.json", opt.iso_dir / "iso_3166-2.json"};
  for (const char* pkg : {"asn", "dbip-country", "dbip-city-mmdb"}) {
    for (fs::directory_iterator it(packages / pkg, ec), end; !ec && it != end; it.increment(ec)) {
      inputs.push_back(it->path());
    }
  }
  std::sort(inputs.begin(), inputs.end());
  for (const auto& p : inputs) {
    auto size = fs::file_size(p, ec);
    if (ec) continue;
    auto mtime = fs::last_write_time(p, ec).time_since_epoch().count();
    h = Fnv(h, p.string() + ":" + std::to_string(size) + ":" + std::to_string(mtime));
  }
  char name[40];
  std::snprintf(name, sizeof name, "geo-%016llx.bin", static_cast<unsigned long long>(h));
  return dir / name;
}

bool ReadCache(const fs::path& file, GeoDbData& d) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string buf = ss.str();
  Reader r(buf);
  char magic[8];
  auto fail = [&d] {
    d = GeoDbData();
    return false;
  };
  if (!r.Raw(magic, 8) || std::memcmp(magic, kMagic, 8) != 0) return fail();
  for (RangeTable* t : {&d.asn4, &d.country4, &d.region4, &d.asn6, &d.country6, &d.region6}) {
    if (!GetTable(r, *t)) return fail();
  }
  uint64_t n;
  if (!r.U64(n) || n > buf.size()) return fail();
  d.entities.resize(n);
  for (auto& e : d.entities) {
    if (!r.U64(e.id) || !r.Str(e.name) || !r.U64(e.parent) || !r.Vec(e.countries) ||
        !r.U64(e.ipv4_addresses)) {
      return fail();
    }
  }
  if (!r.U64(n) || n > buf.size()) return fail();
  d.datasets.resize(n);
  for (auto& s : d.datasets) {
    uint64_t nf;
    if (!r.Str(s.name) || !r.Str(s.version) || !r.Str(s.date) || !r.Str(s.license) ||
        !r.Str(s.attribution) || !r.U64(s.records) || !r.U64(nf) || nf > buf.size()) {
      return fail();
    }
    s.files.resize(nf);
    for (auto& f : s.files) {
      if (!r.Str(f)) return fail();
    }
  }
  if (!r.U64(n) || n > buf.size()) return fail();
  d.problems.resize(n);
  for (auto& s : d.problems) {
    if (!GetStatus(r, s)) return fail();
  }
  if (!r.U64(n) || n > buf.size()) return fail();
  d.unmatched.resize(n);
  for (auto& u : d.unmatched) {
    uint32_t c;
    if (!r.U32(c) || !r.Str(u.name) || !r.U64(u.ipv4_addresses) || !r.U64(u.ipv6_64s)) {
      return fail();
    }
    u.country = static_cast<CountryCode>(c);
  }
  uint64_t total;
  if (!r.U64(total) || total != buf.size() || !r.done()) return fail();
  return true;
}

Status WriteCache(const fs::path& file, const GeoDbData& d) {
  Writer w;
  w.Raw(kMagic, 8);
  for (const RangeTable* t : {&d.asn4, &d.country4, &d.region4, &d.asn6, &d.country6, &d.region6}) {
    PutTable(w, *t);
  }
  w.U64(d.entities.size());
  for (const auto& e : d.entities) {
    w.U64(e.id);
    w.Str(e.name);
    w.U64(e.parent);
    w.Vec(e.countries);
    w.U64(e.ipv4_addresses);
  }
  w.U64(d.datasets.size());
  for (const auto& s : d.datasets) {
    w.Str(s.name);
    w.Str(s.version);
    w.Str(s.date);
    w.Str(s.license);
    w.Str(s.attribution);
    w.U64(s.records);
    w.U64(s.files.size());
    for (const auto& f : s.files) w.Str(f);
  }
  w.U64(d.problems.size());
  for (const auto& s : d.problems) PutStatus(w, s);
  w.U64(d.unmatched.size());
  for (const auto& u : d.unmatched) {
    w.U32(u.country);
    w.Str(u.name);
    w.U64(u.ipv4_addresses);
    w.U64(u.ipv6_64s);
  }
  w.U64(w.out().size() + 8);
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) return IoError("cannot create " + file.parent_path().string() + ": " + ec.message());
  fs::path tmp = file;
  tmp += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(w.out().data(), static_cast<std::streamsize>(w.out().size()));
    if (!out) return IoError("cannot write " + tmp.string());
  }
  fs::rename(tmp, file, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return IoError("cannot rename cache into " + file.string());
  }
  // Caches of older data or code are dead weight (about 100 MB each): remove them.
  for (fs::directory_iterator it(file.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->path() != file && name.rfind("geo-", 0) == 0 && name.size() == 24 &&
        name.ends_with(".bin")) {
      std::error_code rm;
      fs::remove(it->path(), rm);
    }
  }
  return Status::Ok();
}

}  // namespace blackout::geo::internal
