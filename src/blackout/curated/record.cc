// The stored form of curated outages, their selection and their wording.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "blackout/curated/curated.h"
#include "blackout/store/store.h"

namespace blackout::curated {
namespace {

using json = nlohmann::json;

constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};

struct Civil {
  int64_t y;
  unsigned m, d;
};
Civil CivilOf(UnixSeconds t) {
  Civil c{};
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  CivilFromDays(days, &c.y, &c.m, &c.d);
  return c;
}

std::string DayText(const Civil& c, bool month, bool year) {
  std::string s = std::to_string(c.d);
  if (month) s += std::string(" ") + kMonths[c.m - 1];
  if (year) s += " " + std::to_string(c.y);
  return s;
}

// "5 January 2022 10:45 UTC"
std::string LongTime(UnixSeconds t) {
  const Civil c = CivilOf(t);
  const int64_t sod = ((t % 86400) + 86400) % 86400;
  char hm[8];
  std::snprintf(hm, sizeof hm, "%02d:%02d", static_cast<int>(sod / 3600),
                static_cast<int>(sod / 60 % 60));
  return DayText(c, true, true) + " " + hm + " UTC";
}

}  // namespace

std::string ToJson(const CuratedOutage& o) {
  json j = {{"source", o.source},
            {"id", o.id},
            {"entities", o.entities},
            {"from", o.from},
            {"wholeDays", o.whole_days},
            {"kind", o.kind},
            {"cause", o.cause},
            {"area", o.area},
            {"link", o.link},
            {"description", o.description}};
  if (!o.scope.empty()) j["scope"] = o.scope;
  if (o.service_based) j["serviceBased"] = true;
  j["until"] = o.until ? json(*o.until) : json(nullptr);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<CuratedOutage> FromJson(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return DataLoss("annotation record is not JSON");
  CuratedOutage o;
  try {
    o.source = j.at("source").get<std::string>();
    o.id = j.at("id").get<std::string>();
    o.entities = j.at("entities").get<std::vector<std::string>>();
    o.from = j.at("from").get<int64_t>();
    if (!j.at("until").is_null()) o.until = j.at("until").get<int64_t>();
    o.whole_days = j.value("wholeDays", false);
    o.kind = j.value("kind", "");
    o.cause = j.value("cause", "");
    o.area = j.value("area", "");
    o.link = j.value("link", "");
    o.description = j.value("description", "");
    o.scope = j.value("scope", "");
    o.service_based = j.value("serviceBased", false);
  } catch (const json::exception& e) {
    return DataLoss(std::string("damaged annotation record: ") + e.what());
  }
  return o;
}

Status SaveOutages(store::Store& store, std::span<const CuratedOutage> outages) {
  std::vector<store::Record> records;
  records.reserve(outages.size());
  for (const CuratedOutage& o : outages) {
    records.push_back(store::Record{std::string(kRecordKind), o.key(), o.from, ToJson(o)});
  }
  return store.PutRecords(records);
}

Result<std::vector<CuratedOutage>> LoadOutages(store::Store& store) {
  BLACKOUT_ASSIGN_OR_RETURN(auto records, store.ListRecords(kRecordKind));
  std::vector<CuratedOutage> out;
  out.reserve(records.size());
  for (const store::Record& r : records) {
    auto o = FromJson(r.value);
    if (o.ok()) out.push_back(std::move(*o));
  }
  return out;
}

std::vector<CuratedOutage> Select(std::span<const CuratedOutage> all,
                                  std::span<const std::string> entities, UnixSeconds from,
                                  UnixSeconds until) {
  std::vector<CuratedOutage> out;
  for (const CuratedOutage& o : all) {
    if (o.from >= until || o.EffectiveUntil() <= from) continue;
    bool match = entities.empty();
    for (const std::string& e : entities) {
      match = match || std::find(o.entities.begin(), o.entities.end(), e) != o.entities.end();
    }
    if (match) out.push_back(o);
  }
  return out;
}

std::string SourceLabel(std::string_view source) {
  if (source == "keepiton") return "Access Now's #KeepItOn list";
  if (source == "ioda-investigated") return "IODA's investigated outages";
  if (source == "radar") return "Cloudflare Radar";
  return std::string(source);
}

std::string SpanText(const CuratedOutage& o) {
  if (o.whole_days) {
    const Civil a = CivilOf(o.from);
    if (!o.until) return "from " + DayText(a, true, true) + " (no end recorded)";
    const Civil b = CivilOf(*o.until - 86400);  // the last day the list names
    if (a.y == b.y && a.m == b.m && a.d == b.d) return "on " + DayText(a, true, true);
    const bool same_year = a.y == b.y, same_month = same_year && a.m == b.m;
    return "from " + DayText(a, !same_month, !same_year) + " to " + DayText(b, true, true);
  }
  if (!o.until) return "from " + LongTime(o.from) + " (no end recorded)";
  return "from " + LongTime(o.from) + " to " + LongTime(*o.until);
}

std::string Sentence(const CuratedOutage& o, std::string_view place) {
  const std::string kind = o.kind.empty()       ? "an outage"
                           : o.kind == "outage" ? "an outage"
                                                : "a " + o.kind;
  std::string s = SourceLabel(o.source) + (o.source == "radar" ? " annotates " : " records ") +
                  kind + " in " + std::string(place) + " " + SpanText(o);
  if (!o.cause.empty() && o.cause != "Unknown" && o.cause != "UNKNOWN") {
    s += " (cause: " + o.cause + ")";
  }
  return s + ".";
}

}  // namespace blackout::curated
