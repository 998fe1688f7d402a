// Curated outage lists as annotations: others' records of shutdowns and outages (Access Now's
// #KeepItOn STOP list, the outages IODA's operators investigated, Cloudflare Radar's outage
// annotations) read into one model, mapped to entities (country, region, ASN) and time spans with
// their source, cause and link, kept in the store as records (kind "annotation") and shown beside
// the detector's events (docs/annotations.md).
//
// A list without times (#KeepItOn) keeps whole days: `whole_days` is set and the span runs from
// the first day's 00:00 UTC to the day after the last (the list's own days, which are local dates:
// matching allows a day's slack, agreement.h). Malformed rows are reported as "FILE:LINE: ..." and
// the rest kept. Thread-safety: pure functions and immutable values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/time.h"

namespace blackout::store {
class Store;
}

namespace blackout::curated {

enum class ListFormat : uint8_t { kKeepItOn, kIodaInvestigated, kRadar };
// "keepiton", "ioda-investigated", "radar"
std::string_view ListFormatName(ListFormat f);
Result<ListFormat> ParseListFormat(std::string_view name);

struct CuratedOutage {
  std::string source;                 // ListFormatName of the list it came from
  std::string id;                     // unique and stable within the source
  std::vector<std::string> entities;  // canonical: "country/KZ", "region/KZ-ALA", "asn/9198"
  UnixSeconds from = 0;
  std::optional<UnixSeconds> until;  // exclusive; nullopt: no end recorded (ongoing or unknown)
  bool whole_days = false;           // the list gives dates only (see above)
  std::string kind;   // "shutdown", "throttling", "shutdown and throttling", "outage"
  std::string cause;  // as the list says it: "Protests", "CABLE_CUT", ...
  std::string area;   // the list's scope text: "Nationwide", "Claro Dominicana"
  std::string link;
  std::string description;
  // How far it reached, where the list says so (#KeepItOn's geo_scope): "wide" (several states or
  // provinces), "regional" (several places in one), "local" (one city, county or village), ""
  // unknown.
  std::string scope;
  // The list says only services were cut (#KeepItOn's shutdown_extent "Service-based": social
  // media or messaging blocked), not the network.
  bool service_based = false;

  std::string key() const { return source + ":" + id; }
  // The end used for overlaps: `until`, or a day after the start when none is recorded.
  UnixSeconds EffectiveUntil() const { return until.value_or(from + 86400); }
};

// Country (and subdivision) names to ISO codes: the names of Debian's iso-codes plus the
// spellings the lists use ("Turkey", "Myanmar/Burma", "Democratic Republic of (DRC)"; names.cc).
class PlaceNames {
 public:
  // Reads iso_3166-1.json and iso_3166-2.json from `dir` (kIsoCodesDir by default).
  static Result<PlaceNames> Load(std::string_view dir = kIsoCodesDir);
  static constexpr std::string_view kIsoCodesDir = "/usr/share/iso-codes/json";

  void AddCountry(std::string_view name, std::string_view alpha2);
  void AddRegion(std::string_view country, std::string_view name, std::string_view code);
  // "KZ" for "Kazakhstan" (and for "KZ"); "" when unknown.
  std::string Country(std::string_view name) const;
  // "KZ-ALA" for ("KZ", "Almaty"); "" when unknown.
  std::string Region(std::string_view country, std::string_view name) const;
  std::string CountryName(std::string_view alpha2) const;  // "" when unknown

 private:
  std::map<std::string, std::string, std::less<>> countries_;      // normalised name -> alpha-2
  std::map<std::string, std::string, std::less<>> regions_;        // "KZ|normalised" -> code
  std::map<std::string, std::string, std::less<>> country_names_;  // alpha-2 -> name
};

struct ParsedList {
  std::vector<CuratedOutage> outages;
  std::vector<Status> problems;  // kDataLoss "FILE:LINE: what", one per skipped row
  size_t rows = 0;               // data rows read (kept + skipped)
};

// Parses one list. Radar accepts its API's JSON answer ({"result":{"annotations":[...]}}) and
// the two CSV flattenings in ../shared/data/annotations/cloudflare-radar/. `file` names the
// input in problems.
ParsedList ParseList(std::string_view text, ListFormat format, const PlaceNames& names,
                     std::string_view file);

// The stored form (a JSON object) and back; FromJson fails with kDataLoss on a damaged record.
std::string ToJson(const CuratedOutage& o);
Result<CuratedOutage> FromJson(std::string_view json);

inline constexpr std::string_view kRecordKind = "annotation";
// Writes (replacing records of the same key) in one call.
Status SaveOutages(store::Store& store, std::span<const CuratedOutage> outages);
// Every stored curated outage, in key order; damaged records are skipped.
Result<std::vector<CuratedOutage>> LoadOutages(store::Store& store);
// Those of `entities` (any of them; empty = all) overlapping [from, until).
std::vector<CuratedOutage> Select(std::span<const CuratedOutage> all,
                                  std::span<const std::string> entities, UnixSeconds from,
                                  UnixSeconds until);

// Wording for reports, feeds and the dashboard.
// "Access Now's #KeepItOn list", "IODA's investigated outages", "Cloudflare Radar"
std::string SourceLabel(std::string_view source);
// "from 4 to 11 January 2022", "on 4 January 2022", "from 5 January 2022 10:45 UTC to 6 January
// 2022 03:10 UTC", "from 25 November 2025 22:00 UTC (no end recorded)".
std::string SpanText(const CuratedOutage& o);
// "Access Now's #KeepItOn list records a shutdown in Kazakhstan from 4 to 11 January 2022
// (cause: Protests)."
std::string Sentence(const CuratedOutage& o, std::string_view place);

}  // namespace blackout::curated
