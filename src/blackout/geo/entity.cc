#include "blackout/geo/entity.h"

#include <charconv>

namespace blackout::geo {
namespace {

char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// Subdivision suffix alphabet: 0 pads short codes, so "KZ-A" and "KZ-A0" differ.
int SubDigit(char c) {
  c = Upper(c);
  if (c >= 'A' && c <= 'Z') return c - 'A' + 1;
  if (c >= '0' && c <= '9') return c - '0' + 27;
  return -1;
}
char SubChar(int d) {
  return d <= 26 ? static_cast<char>('A' + d - 1) : static_cast<char>('0' + d - 27);
}

bool ParseAsn(std::string_view text, uint32_t* asn) {
  if (text.size() > 2 && Upper(text[0]) == 'A' && Upper(text[1]) == 'S') text.remove_prefix(2);
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *asn);
  return ec == std::errc() && ptr == text.data() + text.size() && *asn != 0;
}

}  // namespace

std::string_view EntityTypeName(EntityType type) {
  switch (type) {
    case EntityType::kCountry:
      return "country";
    case EntityType::kRegion:
      return "region";
    case EntityType::kAsn:
      return "asn";
    case EntityType::kGeoAsn:
      return "geoasn";
  }
  return "unknown";
}

Result<EntityType> ParseEntityType(std::string_view name) {
  for (EntityType t :
       {EntityType::kCountry, EntityType::kRegion, EntityType::kAsn, EntityType::kGeoAsn}) {
    if (name == EntityTypeName(t)) return t;
  }
  return InvalidArgument("unknown entity type '" + std::string(name) +
                         "' (want country, region, asn or geoasn)");
}

CountryCode MakeCountryCode(std::string_view text) {
  if (text.size() != 2) return 0;
  char a = Upper(text[0]), b = Upper(text[1]);
  if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z') return 0;
  return static_cast<CountryCode>(a << 8 | b);
}

RegionCode MakeRegionCode(std::string_view text) {
  if (text.size() < 4 || text.size() > 6 || text[2] != '-') return 0;
  CountryCode c = MakeCountryCode(text.substr(0, 2));
  if (!c) return 0;
  uint32_t sub = 0;
  for (size_t i = 3; i < 6; ++i) {
    int d = 0;
    if (i < text.size()) {
      d = SubDigit(text[i]);
      if (d < 0) return 0;
    }
    sub = sub * 37 + static_cast<uint32_t>(d);
  }
  return RegionCode{c} << 16 | sub;
}

std::string CountryString(CountryCode c) {
  if (!c) return "";
  return std::string{static_cast<char>(c >> 8), static_cast<char>(c & 0xff)};
}

std::string RegionString(RegionCode r) {
  if (!r) return "";
  std::string s = CountryString(RegionCountry(r));
  s += '-';
  uint32_t sub = r & 0xffff;
  int digits[3] = {static_cast<int>(sub / (37 * 37)), static_cast<int>(sub / 37 % 37),
                   static_cast<int>(sub % 37)};
  for (int d : digits) {
    if (d) s += SubChar(d);
  }
  return s;
}

Result<EntityId> ParseEntity(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    return InvalidArgument("entity '" + std::string(text) + "' is not TYPE/CODE");
  }
  auto type = ParseEntityType(text.substr(0, slash));
  if (!type.ok()) return type.status();
  std::string_view code = text.substr(slash + 1);
  EntityId id = 0;
  switch (*type) {
    case EntityType::kCountry:
      id = CountryId(MakeCountryCode(code));
      break;
    case EntityType::kRegion:
      id = RegionId(MakeRegionCode(code));
      break;
    case EntityType::kAsn: {
      uint32_t asn = 0;
      if (ParseAsn(code, &asn)) id = AsnId(asn);
      break;
    }
    case EntityType::kGeoAsn: {
      uint32_t asn = 0;
      if (code.size() > 3 && code[2] == '-' && ParseAsn(code.substr(3), &asn)) {
        id = GeoAsnId(MakeCountryCode(code.substr(0, 2)), asn);
      }
      break;
    }
  }
  if (!id) return InvalidArgument("bad code in entity '" + std::string(text) + "'");
  return id;
}

std::string EntityCode(EntityId id) {
  switch (IdType(id)) {
    case EntityType::kCountry:
      return CountryString(IdCountry(id));
    case EntityType::kRegion:
      return RegionString(IdRegion(id));
    case EntityType::kAsn:
      return std::to_string(IdAsn(id));
    case EntityType::kGeoAsn:
      return CountryString(IdCountry(id)) + "-" + std::to_string(IdAsn(id));
  }
  return "";
}

std::string FormatEntity(EntityId id) {
  return std::string(EntityTypeName(IdType(id))) + "/" + EntityCode(id);
}

}  // namespace blackout::geo
