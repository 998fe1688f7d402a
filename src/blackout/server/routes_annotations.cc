// The state-changing endpoints, each behind the bearer token (ServerOptions::token):
// POST /api/v2/admin/reingest (Actions::reingest), POST /api/v2/admin/probe/upload
// (Actions::probe_upload: vantage points reporting rounds) and POST /api/v2/annotations; and
// GET /api/v2/annotations and /api/v2/probe/vantages, which list the notes and the vantage
// points' health (docs/api.md).
#include <httplib.h>

#include <optional>

#include "blackout/server/params.h"
#include "blackout/server/routes.h"

namespace blackout::server {
namespace {

using json = nlohmann::json;

void ServeReingest(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Authorized(req, res, ctx.options.token)) return;
  if (!ctx.actions.reingest) return SendError(req, res, 501, "admin", "re-ingest not available");
  Status st = ctx.actions.reingest();
  if (!st.ok()) return SendError(req, res, 500, "admin", st.ToString());
  res.set_content(Envelope("admin", req, "{\"reingest\":\"done\"}", ""), "application/json");
}

void ServeProbeUpload(const RouteContext& ctx, const httplib::Request& req,
                      httplib::Response& res) {
  if (!Authorized(req, res, ctx.options.token)) return;
  if (!ctx.actions.probe_upload)
    return SendError(req, res, 501, "admin", "probe upload not available");
  Result<std::string> r = ctx.actions.probe_upload(req.body);
  if (!r.ok()) {
    const StatusCode code = r.status().code();
    const int status = code == StatusCode::kDataLoss || code == StatusCode::kInvalidArgument ? 400
                       : code == StatusCode::kNotFound                                       ? 409
                                                                                             : 500;
    return SendError(req, res, status, "admin", r.status().ToString());
  }
  res.set_content(Envelope("admin", req, *r, ""), "application/json");
}

void ServeProbeVantages(const RouteContext& ctx, const httplib::Request& req,
                        httplib::Response& res) {
  const std::string data = ctx.actions.probe_vantages ? ctx.actions.probe_vantages() : "[]";
  SetBody(req, res, Envelope("vantages", req, data, ""), "application/json");
}

void ServeAddAnnotation(const RouteContext& ctx, const httplib::Request& req,
                        httplib::Response& res) {
  if (!Authorized(req, res, ctx.options.token)) return;
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return SendError(req, res, 400, "annotations", "body must be a JSON object");
  }
  auto str = [&](const char* k) {
    return body.contains(k) && body[k].is_string() ? body[k].get<std::string>() : std::string();
  };
  Annotation a;
  a.entity_type = str("entityType");
  a.entity_code = str("entityCode");
  a.text = str("text");
  if (!IsEntityType(a.entity_type) || !IsEntityCode(a.entity_code)) {
    return SendError(req, res, 400, "annotations", "entityType and entityCode are required");
  }
  if (!ctx.data.FindEntity(a.entity_type, a.entity_code)) {
    return SendError(req, res, 404, "annotations", "unknown entity");
  }
  if (a.text.empty() || a.text.size() > 4000) {
    return SendError(req, res, 400, "annotations", "text must be 1..4000 characters");
  }
  auto as_string = [](const json& j) -> std::optional<std::string> {
    if (j.is_string()) return j.get<std::string>();
    if (j.is_number_integer()) return std::to_string(j.get<int64_t>());
    return std::string("?");
  };
  auto range = ParseRange(body.contains("from") ? as_string(body["from"]) : std::nullopt,
                          body.contains("until") ? as_string(body["until"]) : std::nullopt,
                          ctx.options.now());
  if (!range.ok()) return SendError(req, res, 400, "annotations", range.status().message());
  a.from = range->from;
  a.until = range->until;
  ctx.add_annotation(a);
  res.status = 201;
  res.set_content(Envelope("annotations", req, "{\"created\":true}", ""), "application/json");
}

void ServeAnnotations(const RouteContext& ctx, const httplib::Request& req,
                      httplib::Response& res) {
  // ?entity=TYPE/CODE and ?from=&until= (overlap) narrow the list; ?source= picks one list.
  const std::string entity = req.has_param("entity") ? req.get_param_value("entity") : "";
  const std::string source = req.has_param("source") ? req.get_param_value("source") : "";
  if (!entity.empty() && !IsEntityRef(entity)) {
    return SendError(req, res, 400, "annotations", "entity must be TYPE/CODE");
  }
  int64_t from = INT64_MIN, until = INT64_MAX;
  if (req.has_param("from") || req.has_param("until")) {
    auto range = ParseRange(
        req.has_param("from") ? std::optional(req.get_param_value("from")) : std::nullopt,
        req.has_param("until") ? std::optional(req.get_param_value("until")) : std::nullopt,
        ctx.options.now());
    if (!range.ok()) return SendError(req, res, 400, "annotations", range.status().message());
    from = range->from;
    until = range->until;
  }
  json out = json::array();
  for (const Annotation& a : ctx.annotations()) {
    if (!entity.empty() && a.entity_type + "/" + a.entity_code != entity) continue;
    if (!source.empty() && a.source != source) continue;
    if (a.from >= until || a.until <= from) continue;
    json j = {{"entityType", a.entity_type},
              {"entityCode", a.entity_code},
              {"from", a.from},
              {"until", a.until},
              {"text", a.text}};
    if (!a.source.empty()) {
      j.update({{"source", a.source},
                {"id", a.id},
                {"kind", a.kind},
                {"cause", a.cause},
                {"area", a.area},
                {"link", a.link},
                {"wholeDays", a.whole_days},
                {"openEnd", a.open_end}});
    }
    out.push_back(std::move(j));
  }
  SetBody(req, res, Envelope("annotations", req, Dump(out), ""), "application/json");
}

}  // namespace

void RegisterAnnotationRoutes(httplib::Server& http, const RouteContext& ctx) {
  http.Post("/api/v2/admin/reingest", [ctx](const httplib::Request& req, httplib::Response& res) {
    ServeReingest(ctx, req, res);
  });
  http.Post("/api/v2/admin/probe/upload",
            [ctx](const httplib::Request& req, httplib::Response& res) {
              ServeProbeUpload(ctx, req, res);
            });
  http.Get("/api/v2/probe/vantages", [ctx](const httplib::Request& req, httplib::Response& res) {
    ServeProbeVantages(ctx, req, res);
  });
  http.Post("/api/v2/annotations", [ctx](const httplib::Request& req, httplib::Response& res) {
    ServeAddAnnotation(ctx, req, res);
  });
  http.Get("/api/v2/annotations", [ctx](const httplib::Request& req, httplib::Response& res) {
    ServeAnnotations(ctx, req, res);
  });
}

}  // namespace blackout::server
