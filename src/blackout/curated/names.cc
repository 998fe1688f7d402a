// PlaceNames: iso-codes' names plus the lists' own spellings.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "blackout/base/text.h"
#include "blackout/curated/curated.h"

namespace blackout::curated {
namespace {

// Lower-case letters and digits only; UTF-8 bytes of accented letters are dropped, so
// "Côte d'Ivoire" and "Cote d'Ivoire" meet at "ctedivoire"/"cotedivoire" only through aliases.
std::string Fold(std::string_view name) {
  std::string out;
  for (char c : AsciiLower(name)) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(c);
  }
  return out;
}

// The lists' spellings that iso-codes does not carry (checked against every country cell of the
// two lists in ../shared/data/events; docs/annotations.md).
struct Alias {
  const char* name;
  const char* alpha2;
};
constexpr Alias kAliases[] = {
    {"Turkey", "TR"},
    {"Antigua & Barbuda", "AG"},
    {"Bonaire/Sint Eustatius/Saba", "BQ"},
    {"Bosnia & Herzegovina", "BA"},
    {"Cape Verde", "CV"},
    {"Democratic Republic of (DRC)", "CD"},
    {"Congo (Democratic Republic of the)", "CD"},
    {"Great Britain", "GB"},
    {"Ivory Coast (Cote d'Ivoire)", "CI"},
    {"Ivory Coast", "CI"},
    {"Kyrgyz Republic (Kyrgyzstan)", "KG"},
    {"Macedonia", "MK"},
    {"Myanmar/Burma", "MM"},
    {"Burma", "MM"},
    {"Palestine", "PS"},
    {"Palestinian Territories", "PS"},
    {"Saint Martin", "MF"},
    {"Swaziland", "SZ"},
    {"United States of America (USA)", "US"},
    {"USA", "US"},
    {"Somaliland", "SO"},  // not an ISO 3166 country: attached to Somalia
    {"Laos", "LA"},
    {"Russia", "RU"},
    {"Iran", "IR"},
    {"Syria", "SY"},
    {"Tanzania", "TZ"},
    {"Venezuela", "VE"},
    {"Vietnam", "VN"},
    {"South Korea", "KR"},
    {"North Korea", "KP"},
    {"Bolivia", "BO"},
    {"Reunion", "RE"},
    {"Curacao", "CW"},
};

Result<nlohmann::json> ReadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return DataLoss(path + ": not JSON");
  return j;
}

}  // namespace

Result<PlaceNames> PlaceNames::Load(std::string_view dir) {
  PlaceNames names;
  const std::string base(dir);
  BLACKOUT_ASSIGN_OR_RETURN(auto c, ReadJson(base + "/iso_3166-1.json"));
  for (const auto& e : c.value("3166-1", nlohmann::json::array())) {
    const std::string a2 = e.value("alpha_2", "");
    if (a2.size() != 2) continue;
    names.country_names_.emplace(a2, e.value("common_name", e.value("name", a2)));
    for (const char* k : {"name", "official_name", "common_name"}) {
      if (e.contains(k) && e[k].is_string()) names.AddCountry(e[k].get<std::string>(), a2);
    }
  }
  for (const Alias& a : kAliases) names.AddCountry(a.name, a.alpha2);
  auto r = ReadJson(base + "/iso_3166-2.json");
  if (r.ok()) {
    for (const auto& e : r->value("3166-2", nlohmann::json::array())) {
      const std::string code = e.value("code", "");
      if (code.size() < 4 || code[2] != '-') continue;
      names.AddRegion(code.substr(0, 2), e.value("name", ""), code);
    }
  }
  return names;
}

void PlaceNames::AddCountry(std::string_view name, std::string_view alpha2) {
  const std::string key = Fold(name);
  if (!key.empty()) countries_.emplace(key, AsciiUpper(alpha2));
  country_names_.emplace(AsciiUpper(alpha2), std::string(name));
}

void PlaceNames::AddRegion(std::string_view country, std::string_view name, std::string_view code) {
  const std::string key = Fold(name);
  if (!key.empty()) regions_.emplace(AsciiUpper(country) + "|" + key, AsciiUpper(code));
}

std::string PlaceNames::Country(std::string_view name) const {
  if (name.size() == 2) {
    const std::string up = AsciiUpper(name);
    if (country_names_.count(up)) return up;
  }
  auto it = countries_.find(Fold(name));
  return it == countries_.end() ? "" : it->second;
}

std::string PlaceNames::Region(std::string_view country, std::string_view name) const {
  auto it = regions_.find(AsciiUpper(country) + "|" + Fold(name));
  return it == regions_.end() ? "" : it->second;
}

std::string PlaceNames::CountryName(std::string_view alpha2) const {
  auto it = country_names_.find(AsciiUpper(alpha2));
  return it == country_names_.end() ? "" : it->second;
}

}  // namespace blackout::curated
