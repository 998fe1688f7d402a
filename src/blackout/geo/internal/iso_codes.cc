#include "blackout/geo/internal/iso_codes.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "blackout/base/text.h"

namespace blackout::geo::internal {
namespace {

// ASCII base letters for U+00C0..U+017F ('?' where there is none).
constexpr std::string_view kLatin1 =
    "AAAAAAACEEEEIIIIDNOOOOO?OUUUUYTsaaaaaaaceeeeiiiidnooooo?ouuuuyty";
constexpr std::string_view kLatinA =
    "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiJjJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSs"
    "Ss"
    "SsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
static_assert(kLatin1.size() == 0x40);
static_assert(kLatinA.size() == 0x80);

// Words that name the kind of subdivision rather than which one.
constexpr std::string_view kGeneric[] = {
    "oblast",      "oblysy",         "oblasty",     "province", "provincia",
    "region",      "state",          "county",      "district", "prefecture",
    "governorate", "department",     "departement", "city",     "of",
    "the",         "municipality",   "autonomous",  "republic", "voivodeship",
    "kraj",        "krai",           "okrug",       "canton",   "emirate",
    "parish",      "division",       "territory",   "capital",  "metropolitan",
    "special",     "administrative", "area",        "regiao",   "estado",
    "provinsi",    "wilayah",        "ken",         "shi",      "do",
    "si"};

std::string ReadAll(const std::filesystem::path& p, Status* st) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    *st = Status(StatusCode::kIoError, "cannot read " + p.string());
    return "";
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Words of the folded name: lower-case ASCII letters and digits; everything else separates.
std::vector<std::string> Words(std::string_view name) {
  std::vector<std::string> words;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(std::move(cur));
    cur.clear();
  };
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        cur += static_cast<char>(c);
      } else if (c == '\'' || c == '`') {
        // apostrophes join: "Kostanajskaja oblast'" / "Qo'qon"
      } else {
        flush();
      }
      continue;
    }
    // Two-byte UTF-8 sequence for U+0080..U+07FF.
    if ((c & 0xe0) == 0xc0 && i + 1 < name.size()) {
      uint32_t cp = (c & 0x1fu) << 6 | (static_cast<unsigned char>(name[i + 1]) & 0x3fu);
      ++i;
      char base = '?';
      if (cp >= 0xc0 && cp < 0x100) base = kLatin1[cp - 0xc0];
      if (cp >= 0x100 && cp < 0x180) base = kLatinA[cp - 0x100];
      if (cp == 0x2bb || cp == 0x2bc || cp == 0x2b9) continue;  // modifier apostrophes
      if (base != '?') {
        if (base >= 'A' && base <= 'Z') base = static_cast<char>(base - 'A' + 'a');
        cur += base;
        continue;
      }
      flush();
      continue;
    }
    // Longer sequences (other scripts, typographic quotes): skip the continuation bytes.
    while (i + 1 < name.size() && (static_cast<unsigned char>(name[i + 1]) & 0xc0) == 0x80) ++i;
    if (c == 0xe2) continue;  // U+2000.. punctuation such as ’ joins like an apostrophe
    flush();
  }
  flush();
  return words;
}

std::string Join(const std::vector<std::string>& words, bool drop_generic) {
  std::string out;
  for (const auto& w : words) {
    bool generic = false;
    if (drop_generic) {
      for (auto g : kGeneric) generic |= (w == g);
    }
    if (!generic) out += w;
  }
  return out;
}

std::string Key(CountryCode c, const std::string& norm) { return CountryString(c) + ":" + norm; }

}  // namespace

std::string NormalizeName(std::string_view name) { return Join(Words(name), false); }

std::string MatcherFingerprint() {
  // Bump the version when the matching logic changes; the tables are included verbatim.
  std::string f = "matcher-3";
  for (auto g : kGeneric) f.append(g).push_back(',');
  for (const auto& a : RegionAliases()) f.append(a.country).append(a.name).append(a.code);
  return f;
}

Result<IsoCodes> LoadIsoCodes(const std::filesystem::path& dir) {
  IsoCodes iso;
  Status st;
  auto f1 = dir / "iso_3166-1.json";
  auto f2 = dir / "iso_3166-2.json";
  std::string t1 = ReadAll(f1, &st);
  if (!st.ok()) return st;
  std::string t2 = ReadAll(f2, &st);
  if (!st.ok()) return st;
  auto j1 = nlohmann::json::parse(t1, nullptr, false);
  auto j2 = nlohmann::json::parse(t2, nullptr, false);
  if (j1.is_discarded() || !j1.contains("3166-1")) {
    return Status(StatusCode::kDataLoss, "not an iso-codes 3166-1 file", {f1.string()});
  }
  if (j2.is_discarded() || !j2.contains("3166-2")) {
    return Status(StatusCode::kDataLoss, "not an iso-codes 3166-2 file", {f2.string()});
  }
  for (const auto& c : j1["3166-1"]) {
    CountryCode code = MakeCountryCode(c.value("alpha_2", ""));
    if (!code) continue;
    std::string name = c.value("common_name", c.value("name", ""));
    iso.countries[code] = name;
  }
  for (const auto& r : j2["3166-2"]) {
    RegionCode code = MakeRegionCode(r.value("code", ""));
    if (code) iso.regions[code] = r.value("name", "");
  }
  // Version: the pkg-config file next to the data, when there is one.
  std::ifstream pc(dir.parent_path().parent_path() / "pkgconfig" / "iso-codes.pc");
  std::string line;
  while (std::getline(pc, line)) {
    if (line.rfind("Version:", 0) == 0) {
      iso.version = line.substr(8);
      while (!iso.version.empty() && iso.version.front() == ' ') iso.version.erase(0, 1);
    }
  }
  iso.files = {f1.string(), f2.string()};
  return iso;
}

RegionMatcher::RegionMatcher(const IsoCodes& iso) {
  auto add = [](std::unordered_map<std::string, RegionCode>& m, const std::string& key,
                RegionCode code) {
    auto [it, inserted] = m.try_emplace(key, code);
    if (!inserted && it->second != code) it->second = 0;  // ambiguous
  };
  for (const auto& [code, name] : iso.regions) {
    auto words = Words(name);
    add(exact_, Key(RegionCountry(code), Join(words, false)), code);
    std::string core = Join(words, true);
    if (!core.empty()) add(core_, Key(RegionCountry(code), core), code);
    if (!core.empty()) cores_[RegionCountry(code)].push_back({core, code});
  }
  // Aliases override: they are the documented exceptions.
  for (const auto& a : RegionAliases()) {
    RegionCode code = MakeRegionCode(a.code);
    CountryCode c = MakeCountryCode(a.country);
    if (code && c) exact_[Key(c, NormalizeName(a.name))] = code;
  }
}

RegionCode RegionMatcher::Match(CountryCode country, std::string_view name) const {
  auto words = Words(name);
  if (words.empty()) return 0;
  auto it = exact_.find(Key(country, Join(words, false)));
  if (it != exact_.end() && it->second) return it->second;
  std::string core = Join(words, true);
  if (core.empty()) return 0;
  it = core_.find(Key(country, core));
  if (it != core_.end() && it->second) return it->second;
  // DB-IP's short name vs the ISO long one.
  it = exact_.find(Key(country, core));
  if (it != exact_.end() && it->second) return it->second;
  // Fallback for spelling variants ("Hesse"/"Hessen", "Lombardy"/"Lombardia"): one name a prefix
  // of the other (at least 4 letters), else an edit distance of at most 2 for names of 6 or more
  // letters; only if exactly one subdivision of the country is that close.
  auto cit = cores_.find(country);
  if (cit == cores_.end() || core.size() < 4) return 0;
  RegionCode found = 0;
  int matches = 0;
  for (const auto& [iso_core, code] : cit->second) {
    bool prefix =
        iso_core.size() >= 4 && (iso_core.rfind(core, 0) == 0 || core.rfind(iso_core, 0) == 0);
    if (prefix && code != found) {
      found = code;
      ++matches;
    }
  }
  if (matches == 1) return found;
  if (matches > 1 || core.size() < 6) return 0;
  size_t best = 3;
  for (const auto& [iso_core, code] : cit->second) {
    if (iso_core.size() < 6) continue;
    size_t dist = EditDistance(core, iso_core);
    if (dist < best) {
      best = dist;
      found = code;
      matches = 1;
    } else if (dist == best && code != found) {
      ++matches;
    }
  }
  return matches == 1 && best <= 2 ? found : 0;
}

}  // namespace blackout::geo::internal
