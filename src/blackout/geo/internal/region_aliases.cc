// DB-IP region names that the normalised match against ISO 3166-2 (iso-codes) misses: different
// transliterations, renamed places, former names. Each entry was checked against the ISO 3166-2
// subdivision list; docs/geo.md explains how to extend it (`blackout geo check` lists misses).
#include "blackout/geo/internal/iso_codes.h"

namespace blackout::geo::internal {
namespace {

constexpr RegionAlias kAliases[] = {
    // Kazakhstan: DB-IP uses English/Kazakh forms, iso-codes the Russian transliteration.
    {"KZ", "Astana", "KZ-AST"},
    {"KZ", "Nur-Sultan", "KZ-AST"},
    {"KZ", "Almaty Oblysy", "KZ-ALM"},
    {"KZ", "Almaty Region", "KZ-ALM"},
    {"KZ", "Aqmola", "KZ-AKM"},
    {"KZ", "Akmola Region", "KZ-AKM"},
    {"KZ", "Aktobe", "KZ-AKT"},
    {"KZ", "Aqtobe", "KZ-AKT"},
    {"KZ", "Aktyubinskaya Oblast", "KZ-AKT"},
    {"KZ", "Atyrau Region", "KZ-ATY"},
    {"KZ", "Atyrau", "KZ-ATY"},
    {"KZ", "Atyrau Oblisi", "KZ-ATY"},
    {"KZ", "Soltustik Qazaqstan", "KZ-SEV"},
    {"KZ", "Turkistan", "KZ-YUZ"},
    {"KZ", "Karaganda", "KZ-KAR"},
    {"KZ", "Qaraghandy", "KZ-KAR"},
    {"KZ", "Kostanay", "KZ-KUS"},
    {"KZ", "Qostanay", "KZ-KUS"},
    {"KZ", "Kyzylorda", "KZ-KZY"},
    {"KZ", "Qyzylorda", "KZ-KZY"},
    {"KZ", "Mangystau", "KZ-MAN"},
    {"KZ", "Mangistau", "KZ-MAN"},
    {"KZ", "Pavlodar Region", "KZ-PAV"},
    {"KZ", "North Kazakhstan", "KZ-SEV"},
    {"KZ", "East Kazakhstan", "KZ-VOS"},
    {"KZ", "West Kazakhstan", "KZ-ZAP"},
    {"KZ", "Turkestan", "KZ-YUZ"},
    {"KZ", "South Kazakhstan", "KZ-YUZ"},
    {"KZ", "Zhambyl Region", "KZ-ZHA"},
    {"KZ", "Jambyl", "KZ-ZHA"},
    // The largest other misses by address count (English exonyms vs the local names in ISO 3166-2).
    {"AE", "Abu Dhabi", "AE-AZ"},
    {"AE", "Dubai", "AE-DU"},
    {"AT", "Vienna", "AT-9"},
    {"AT", "State of Vienna", "AT-9"},
    {"BE", "Brussels Capital", "BE-BRU"},
    {"BE", "Flanders", "BE-VLG"},
    {"BR", "Federal District", "BR-DF"},
    {"CL", "Santiago Metropolitan", "CL-RM"},
    {"CO", "Bogota D.C.", "CO-DC"},
    {"CZ", "Prague", "CZ-10"},
    {"CZ", "Hlavni mesto Praha", "CZ-10"},
    {"DE", "Bavaria", "DE-BY"},
    {"DE", "Lower Saxony", "DE-NI"},
    {"DE", "North Rhine-Westphalia", "DE-NW"},
    {"DE", "Saxony", "DE-SN"},
    {"DE", "Saxony-Anhalt", "DE-ST"},
    {"DK", "Capital Region", "DK-84"},
    {"DK", "Central Jutland", "DK-82"},
    {"DK", "North Denmark", "DK-81"},
    {"DZ", "Algiers", "DZ-16"},
    {"EG", "Cairo", "EG-C"},
    {"EG", "Giza", "EG-GZ"},
    {"ES", "Andalusia", "ES-AN"},
    {"ES", "Catalonia", "ES-CT"},
    {"FR", "Brittany", "FR-BRE"},
    {"FR", "New Aquitaine", "FR-NAQ"},
    {"FR", "Rhone-Alpes", "FR-ARA"},
    {"ID", "West Java", "ID-JB"},
    {"IL", "Tel Aviv", "IL-TA"},
    {"IL", "Central District", "IL-M"},
    {"MY", "Kuala Lumpur", "MY-14"},
    {"NL", "North Brabant", "NL-NB"},
    {"NL", "North Holland", "NL-NH"},
    {"NL", "South Holland", "NL-ZH"},
    {"PL", "Mazovia", "PL-14"},
    {"PL", "Silesia", "PL-24"},
    {"RO", "Bucharest", "RO-B"},
    {"RU", "Moscow", "RU-MOW"},
    {"RU", "Moscow Oblast", "RU-MOS"},
    {"RU", "St.-Petersburg", "RU-SPE"},
    {"SA", "Riyadh Region", "SA-01"},
    {"TH", "Bangkok", "TH-10"},
    {"VN", "Hanoi", "VN-HN"},
    {"VN", "Ho Chi Minh City (HCMC)", "VN-SG"},
};

}  // namespace

std::span<const RegionAlias> RegionAliases() { return kAliases; }

}  // namespace blackout::geo::internal
