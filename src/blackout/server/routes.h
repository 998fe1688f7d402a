// Private to server/: the API's routes, one file per concern, each registering its own handlers on
// the httplib server. ApiServer (api.cc) builds one RouteContext and calls the Register functions;
// the handlers keep a copy of it, so everything it refers to must outlive the httplib server.
// Thread-safety: handlers run concurrently; everything reached through the context is either
// immutable after construction or synchronized (DataView, RenderCache, Metrics, the callbacks).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "blackout/report/provenance.h"
#include "blackout/server/api.h"
#include "blackout/server/data.h"
#include "blackout/server/http_util.h"
#include "blackout/server/metrics.h"

namespace httplib {
class Server;
}

namespace blackout::server {

struct RouteContext {
  const DataView& data;
  const ServerOptions& options;
  const Actions& actions;
  Metrics& metrics;
  RenderCache& cache;
  // ApiServer::CurrentProvenance.
  std::function<std::shared_ptr<const report::Provenance>()> provenance;
  // "http://host:port" for the feeds' absolute links (ServerOptions::public_url, else Host).
  std::function<std::string(const httplib::Request&)> base_url;
  std::function<void(Annotation)> add_annotation;
  std::function<std::vector<Annotation>()> annotations;
};

// GET /api/v2/signals/raw/TYPE/CODE (JSON or CSV).
void RegisterSignalRoutes(httplib::Server& http, const RouteContext& ctx);
// GET /api/v2/outages/{alerts,events,summary}.
void RegisterEventRoutes(httplib::Server& http, const RouteContext& ctx);
// GET /api/v2/reports/TYPE/CODE[/report.md|/chart.png].
void RegisterReportRoutes(httplib::Server& http, const RouteContext& ctx);
// GET /api/v2/entities/query[/TYPE], /api/v2/datasources, /api/v2/meta.
void RegisterEntityRoutes(httplib::Server& http, const RouteContext& ctx);
// GET /api/v2/topo/{country,region} (and under /ioda/v2): IODA's gzipped TopoJSON maps, made from
// the dashboard's built maps. Called by RegisterEntityRoutes.
void RegisterTopoRoutes(httplib::Server& http, const RouteContext& ctx);
// GET /feeds/events.json (JSON Feed 1.1) and /feeds/events.atom.
void RegisterFeedRoutes(httplib::Server& http, const RouteContext& ctx);
// The state-changing endpoints (bearer token): POST /api/v2/admin/reingest and
// /api/v2/annotations; GET /api/v2/annotations.
void RegisterAnnotationRoutes(httplib::Server& http, const RouteContext& ctx);
// GET, POST /api/v2/admin/subscriptions and DELETE /api/v2/admin/subscriptions/ID (bearer token).
void RegisterSubscriptionRoutes(httplib::Server& http, const RouteContext& ctx);
// GET /healthz, /metrics, and the dashboard's files for every other path.
// REQUIRES: registered last (its catch-all pattern would shadow later routes).
void RegisterStaticRoutes(httplib::Server& http, const RouteContext& ctx);

}  // namespace blackout::server
