// `blackout geo lookup|entities|check|info`: entities and IP geolocation (docs/geo.md).
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "blackout/geo/geodb.h"
#include "cli/command.h"

namespace blackout::cli {
namespace {

using geo::EntityId;
using nlohmann::json;

struct GeoArgs {
  std::string dir;
  bool no_cache = false;
  bool no_regions = false;
  std::vector<std::string> targets;
  std::string type;
  std::string search;
  size_t limit = 0;
};

void AddCommon(CLI::App* sub, GeoArgs& a) {
  sub->add_option("--geo-dir", a.dir,
                  "Folder holding node_modules/@ip-location-db (default: $BLACKOUT_GEO_DIR, then "
                  "the source tree's geo-data/)");
  sub->add_flag("--no-cache", a.no_cache, "Parse the datasets instead of reading the binary cache");
}

std::unique_ptr<geo::GeoDb> OpenDb(const GeoArgs& a, Context& ctx) {
  geo::GeoOptions opt;
  opt.dir = a.dir;
  opt.use_cache = !a.no_cache;
  opt.regions = !a.no_regions;
  auto db = geo::GeoDb::Open(opt);
  if (!db.ok()) {
    std::fprintf(stderr, "blackout geo: %s\n", db.status().ToString().c_str());
    ctx.exit_code = kExitFailure;
    return nullptr;
  }
  return std::move(db).value();
}

json EntityJson(const geo::GeoDb& db, EntityId id) {
  if (!id) return nullptr;
  return json{{"entity", geo::FormatEntity(id)}, {"id", std::to_string(id)}, {"name", db.Name(id)}};
}

std::string EntityText(const geo::GeoDb& db, EntityId id) {
  if (!id) return "-";
  return geo::FormatEntity(id) + " (" + db.Name(id) + ")";
}

void Lookup(const GeoArgs& a, Context& ctx) {
  auto db = OpenDb(a, ctx);
  if (!db) return;
  json out = json::array();
  for (const auto& t : a.targets) {
    auto p = Prefix::Parse(t);
    if (!p.ok()) {
      std::fprintf(stderr, "blackout geo lookup: %s\n", p.status().ToString().c_str());
      ctx.exit_code = kExitUsage;
      continue;
    }
    bool whole = p->length() == p->address().bits();
    geo::Attribution r = whole ? db->Lookup(p->address()) : db->LookupPrefix(*p);
    if (ctx.json) {
      out.push_back({{"query", t},
                     {"country", EntityJson(*db, r.country_id())},
                     {"region", EntityJson(*db, r.region_id())},
                     {"asn", EntityJson(*db, r.asn_id())},
                     {"geoasn", r.geoasn_id() ? json(geo::FormatEntity(r.geoasn_id())) : json()}});
    } else {
      std::printf("%s\tcountry %s\tregion %s\tasn %s\n", t.c_str(),
                  EntityText(*db, r.country_id()).c_str(), EntityText(*db, r.region_id()).c_str(),
                  EntityText(*db, r.asn_id()).c_str());
    }
  }
  if (ctx.json) std::cout << out.dump(2) << "\n";
}

void Entities(const GeoArgs& a, Context& ctx) {
  std::optional<geo::EntityType> type;
  if (!a.type.empty()) {
    auto t = geo::ParseEntityType(a.type);
    if (!t.ok()) {
      std::fprintf(stderr, "blackout geo entities: %s\n", t.status().ToString().c_str());
      ctx.exit_code = kExitUsage;
      return;
    }
    type = *t;
  }
  auto db = OpenDb(a, ctx);
  if (!db) return;
  auto found = db->Search(type, a.search);
  if (a.limit && found.size() > a.limit) found.resize(a.limit);
  if (ctx.json) {
    json out = json::array();
    for (const auto* e : found) {
      json j{{"entity", e->key()},
             {"id", std::to_string(e->id)},
             {"name", e->name},
             {"ipv4_addresses", e->ipv4_addresses}};
      if (e->parent) j["parent"] = geo::FormatEntity(e->parent);
      if (!e->countries.empty()) {
        json cs = json::array();
        for (EntityId c : e->countries) cs.push_back(geo::FormatEntity(c));
        j["countries"] = cs;
      }
      out.push_back(std::move(j));
    }
    std::cout << out.dump(2) << "\n";
    return;
  }
  for (const auto* e : found) {
    std::printf("%s\t%s\t%llu\n", e->key().c_str(), e->name.c_str(),
                static_cast<unsigned long long>(e->ipv4_addresses));
  }
}

void Check(const GeoArgs& a, Context& ctx) {
  auto db = OpenDb(a, ctx);
  if (!db) return;
  const auto& problems = db->problems();
  const auto& unmatched = db->unmatched_regions();
  if (ctx.json) {
    json p = json::array(), u = json::array();
    for (const auto& s : problems) p.push_back(s.ToString());
    for (const auto& r : unmatched) {
      u.push_back({{"country", geo::CountryString(r.country)},
                   {"name", r.name},
                   {"ipv4_addresses", r.ipv4_addresses},
                   {"ipv6_64s", r.ipv6_64s}});
    }
    std::cout << json{{"problems", p}, {"unmatched_regions", u}}.dump(2) << "\n";
  } else {
    for (const auto& s : problems) std::fprintf(stderr, "%s\n", s.ToString().c_str());
    std::printf("%zu data problems\n", problems.size());
    std::printf(
        "%zu region names without an ISO 3166-2 code (country, name, IPv4 addresses, "
        "IPv6 /64s):\n",
        unmatched.size());
    for (const auto& r : unmatched) {
      std::printf("  %s\t%s\t%llu\t%llu\n", geo::CountryString(r.country).c_str(), r.name.c_str(),
                  static_cast<unsigned long long>(r.ipv4_addresses),
                  static_cast<unsigned long long>(r.ipv6_64s));
    }
  }
  if (!problems.empty()) ctx.exit_code = kExitInputProblems;
}

void Info(const GeoArgs& a, Context& ctx) {
  auto db = OpenDb(a, ctx);
  if (!db) return;
  size_t counts[5] = {};
  for (const auto& e : db->entities()) ++counts[static_cast<int>(e.type()) % 5];
  if (ctx.json) {
    json ds = json::array();
    for (const auto& d : db->datasets()) {
      ds.push_back({{"name", d.name},
                    {"version", d.version},
                    {"date", d.date},
                    {"license", d.license},
                    {"attribution", d.attribution},
                    {"records", d.records},
                    {"files", d.files}});
    }
    std::cout << json{{"datasets", ds},
                      {"attribution", geo::AttributionText()},
                      {"entities",
                       {{"country", counts[1]},
                        {"region", counts[2]},
                        {"asn", counts[3]},
                        {"geoasn", counts[4]}}},
                      {"problems", db->problems().size()},
                      {"unmatched_regions", db->unmatched_regions().size()},
                      {"load_seconds", db->load_seconds()},
                      {"from_cache", db->loaded_from_cache()}}
                     .dump(2)
              << "\n";
    return;
  }
  for (const auto& d : db->datasets()) {
    std::printf("%s %s (data of %s, %s): %llu records\n", d.name.c_str(), d.version.c_str(),
                d.date.empty() ? "unknown date" : d.date.c_str(), d.license.c_str(),
                static_cast<unsigned long long>(d.records));
  }
  std::printf("entities: %zu countries, %zu regions, %zu ASNs, %zu geoasns\n", counts[1], counts[2],
              counts[3], counts[4]);
  std::printf("loaded in %.2f s%s; %zu data problems, %zu unmatched region names\n",
              db->load_seconds(), db->loaded_from_cache() ? " (binary cache)" : "",
              db->problems().size(), db->unmatched_regions().size());
  std::printf("\nAttribution:\n%s", geo::AttributionText().c_str());
}

}  // namespace

void RegisterGeoCommands(CLI::App& app, Context& ctx) {
  auto* geo_cmd = app.add_subcommand("geo", "Entities and IP geolocation (country, region, ASN)");
  geo_cmd->require_subcommand(1);
  auto args = std::make_shared<GeoArgs>();

  auto* lookup = geo_cmd->add_subcommand(
      "lookup",
      "Country, region (ISO 3166-2) and ASN of addresses or prefixes (a prefix gets the "
      "entity covering most of it)");
  lookup->add_option("target", args->targets, "ADDRESS or PREFIX")->required();
  AddCommon(lookup, *args);
  lookup->callback([args, &ctx] { Lookup(*args, ctx); });

  auto* entities =
      geo_cmd->add_subcommand("entities", "List entities (TYPE/CODE, name, IPv4 addresses)");
  entities->add_option("--type", args->type, "country, region, asn or geoasn");
  entities->add_option("--search", args->search, "Only those whose code or name contains TEXT");
  entities->add_option("--limit", args->limit, "At most N entities (0: all)");
  AddCommon(entities, *args);
  entities->callback([args, &ctx] { Entities(*args, ctx); });

  auto* check = geo_cmd->add_subcommand(
      "check",
      "Load every dataset and report malformed rows, overlaps, corrupt records and region "
      "names without an ISO 3166-2 code; exit 1 if the data has problems");
  AddCommon(check, *args);
  check->callback([args, &ctx] { Check(*args, ctx); });

  auto* info = geo_cmd->add_subcommand(
      "info", "Dataset versions, dates, licences and the attribution they require");
  AddCommon(info, *args);
  info->callback([args, &ctx] { Info(*args, ctx); });
}

}  // namespace blackout::cli
