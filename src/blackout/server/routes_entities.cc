// GET /api/v2/entities/query[/TYPE] (search by name, type, relation or code),
// /api/v2/datasources (the signals served) and /api/v2/meta (notice and provenance) (docs/api.md).
#include <httplib.h>

#include "blackout/server/json_views.h"
#include "blackout/server/params.h"
#include "blackout/server/routes.h"

namespace blackout::server {
namespace {

using json = nlohmann::json;

void ServeEntities(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  std::string search = Param(req, "search").value_or("");
  std::string type = Param(req, "entityType").value_or("");
  std::string related = Param(req, "relatedTo").value_or("");
  if (search.size() > 100) return SendError(req, res, 400, "entities", "search is too long");
  if (!type.empty() && !IsEntityType(type)) {
    return SendError(req, res, 400, "entities", "entityType must be country, region or asn");
  }
  if (!related.empty() && !IsEntityRef(related)) {
    return SendError(req, res, 400, "entities", "relatedTo must be TYPE/CODE");
  }
  auto limit = ParseInt("limit", Param(req, "limit"), 100, 1, kMaxLimit);
  if (!limit.ok()) return SendError(req, res, 400, "entities", limit.status().message());
  std::string code;
  if (auto c = Param(req, "entityCode")) {
    if (!IsEntityCode(*c)) return SendError(req, res, 400, "entities", "entityCode is malformed");
    code = *c;
  }
  json out = json::array();
  for (const Entity& e :
       ctx.data.SearchEntities(search, type, related, code, static_cast<size_t>(*limit))) {
    json j = EntityJson(e);
    j["subnames"] = json::array();
    j["related"] = e.related;
    out.push_back(std::move(j));
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
  http.Get("/api/v2/entities/query", [ctx](const httplib::Request& req, httplib::Response& res) {
    ServeEntities(ctx, req, res);
  });
  http.Get(R"(/api/v2/entities/query/([^/]+))",
           [ctx](const httplib::Request& req, httplib::Response& res) {
             httplib::Request copy = req;
             copy.params.emplace("entityType", req.matches[1]);
             ServeEntities(ctx, copy, res);
           });
  http.Get("/api/v2/datasources/?", [ctx](const httplib::Request& req, httplib::Response& res) {
    ServeDatasources(ctx, req, res);
  });
  http.Get(R"(/api/v2/datasources/([a-z0-9-]{1,32}))",
           [ctx](const httplib::Request& req, httplib::Response& res) {
             ServeDatasource(ctx, req, res);
           });
  http.Get("/api/v2/meta", [ctx](const httplib::Request& req, httplib::Response& res) {
    ServeMeta(ctx, req, res);
  });
}

}  // namespace blackout::server
