// GET /api/v2/entities/query[/TYPE] (search by name, type, relation or code),
// /api/v2/datasources (the signals served) and /api/v2/meta (notice and provenance) (docs/api.md).
#include <httplib.h>

#include "blackout/server/ioda.h"
#include "blackout/server/json_views.h"
#include "blackout/server/params.h"
#include "blackout/server/routes.h"
#include "blackout/store/entity_ref.h"

namespace blackout::server {
namespace {

using json = nlohmann::json;

// "country/KZ" as this request's client reads it (a region's alias under /ioda/v2).
std::string ClientRef(const std::string& ref, bool ioda) {
  const store::EntityRef e = store::EntityRef::FromCanonical(ref);
  return std::string(e.type()) + "/" + ClientCode(ioda, e.type(), e.code());
}

// `entityCode` may list codes ("KZ,UA", as IODA takes them); regions by ISO code or alias.
void ServeEntities(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const bool ioda = IsIodaRequest(req);
  std::string search = Param(req, "search").value_or("");
  std::string type = Param(req, "entityType").value_or("");
  std::string related = Param(req, "relatedTo").value_or("");
  if (search.size() > 100) return SendError(req, res, 400, "entities", "search is too long");
  if (!type.empty() && !IsEntityType(type)) {
    return SendError(req, res, 400, "entities",
                     "entityType must be country, region, asn or geoasn");
  }
  if (!related.empty() && !IsEntityRef(related)) {
    return SendError(req, res, 400, "entities", "relatedTo must be TYPE/CODE");
  }
  if (!related.empty()) {
    const store::EntityRef r = store::EntityRef::FromCanonical(related);
    related = std::string(r.type()) + "/" + CanonicalCode(r.type(), r.code());
  }
  auto limit = ParseInt("limit", Param(req, "limit"), kMaxLimit, 1, kMaxLimit);
  if (!limit.ok()) return SendError(req, res, 400, "entities", limit.status().message());
  std::vector<std::string> codes;
  if (auto c = Param(req, "entityCode")) {
    for (const std::string& one : SplitList(*c)) {
      if (!IsEntityCode(one)) {
        return SendError(req, res, 400, "entities", "entityCode is malformed");
      }
      codes.push_back(CanonicalCode(type, one));
    }
    if (codes.empty()) return SendError(req, res, 400, "entities", "entityCode is malformed");
  }
  if (codes.empty()) codes.push_back("");
  json out = json::array();
  for (const std::string& code : codes) {
    for (const Entity& e :
         ctx.data.SearchEntities(search, type, related, code, static_cast<size_t>(*limit))) {
      if (out.size() >= static_cast<size_t>(*limit)) break;
      json j = ClientEntityJson(ctx.data, e, ioda);
      j["subnames"] = json::array();
      json rel = json::array();
      for (const std::string& r : e.related) rel.push_back(ClientRef(r, ioda));
      j["related"] = std::move(rel);
      out.push_back(std::move(j));
    }
  }
  SetBody(req, res, Envelope("entity", req, Dump(out), ""), "application/json");
}

void ServeDatasources(const RouteContext& ctx, const httplib::Request& req,
                      httplib::Response& res) {
  json out = json::array();
  for (const Datasource& d : ctx.data.Datasources()) {
    out.push_back({{"datasource", d.name},
                   {"name", d.description},
                   {"units", d.units},
                   {"nativeStep", d.native_step}});
  }
  res.set_content(Envelope("datasources", req, Dump(out), ""), "application/json");
}

// /api/v2/datasources/{ds}: one datasource as IODA answers it; 404 when not served.
void ServeDatasource(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string name = req.matches[1];
  for (const Datasource& d : ctx.data.Datasources()) {
    if (d.name != name) continue;
    const json out = {{"datasource", d.name},
                      {"name", d.description},
                      {"units", d.units},
                      {"nativeStep", d.native_step}};
    res.set_content(Envelope("datasources", req, Dump(out), ""), "application/json");
    return;
  }
  SendError(req, res, 404, "datasources", "no datasource '" + name + "' (see /api/v2/datasources)");
}

void ServeMeta(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto prov = ctx.provenance();
  json out = {{"notice", ctx.options.notice.empty() ? prov->notice : ctx.options.notice},
              {"simulation", prov->simulation},
              {"sources", prov->Attribution()}};
  res.set_content(Envelope("meta", req, Dump(out), ""), "application/json");
}

}  // namespace

void RegisterEntityRoutes(httplib::Server& http, const RouteContext& ctx) {
  // Under /api/v2 (blackout's meanings) and /ioda/v2 (IODA's; ioda.h), trailing '/' or not.
  http.Get(
      R"(/(?:api|ioda)/v2/entities/query/?)",
      [ctx](const httplib::Request& req, httplib::Response& res) { ServeEntities(ctx, req, res); });
  http.Get(R"(/(?:api|ioda)/v2/entities/query/([^/]+)/?)",
           [ctx](const httplib::Request& req, httplib::Response& res) {
             httplib::Request copy = req;
             copy.params.emplace("entityType", req.matches[1]);
             ServeEntities(ctx, copy, res);
           });
  http.Get(R"(/(?:api|ioda)/v2/datasources/?)",
           [ctx](const httplib::Request& req, httplib::Response& res) {
             ServeDatasources(ctx, req, res);
           });
  http.Get(R"(/(?:api|ioda)/v2/datasources/([a-z0-9-]{1,32})/?)",
           [ctx](const httplib::Request& req, httplib::Response& res) {
             ServeDatasource(ctx, req, res);
           });
  http.Get(
      R"(/(?:api|ioda)/v2/meta/?)",
      [ctx](const httplib::Request& req, httplib::Response& res) { ServeMeta(ctx, req, res); });
  RegisterTopoRoutes(http, ctx);
}

}  // namespace blackout::server
