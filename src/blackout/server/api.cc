#include "blackout/server/api.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>

#include "blackout/base/log.h"
#include "blackout/report/report.h"
#include "blackout/server/http_util.h"
#include "blackout/server/routes.h"

namespace blackout::server {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

thread_local Clock::time_point t_request_start;

std::string RouteName(const std::string& path) {
  static const std::pair<const char*, const char*> kRoutes[] = {
      {"/api/v2/signals/raw/", "signals"},
      {"/api/v2/outages/alerts", "alerts"},
      {"/api/v2/outages/events", "events"},
      {"/api/v2/outages/summary", "summary"},
      {"/api/v2/reports/", "reports"},
      {"/api/v2/entities", "entities"},
      {"/api/v2/datasources", "datasources"},
      {"/api/v2/annotations", "annotations"},
      {"/api/v2/admin", "admin"},
      {"/api/v2/probe/", "probe"},
      {"/api/v2/meta", "meta"},
      {"/api/", "api_other"},
      {"/ioda/", "ioda"},  // IODA's clients (docs/api.md, "IODA clients")
      {"/feeds/", "feeds"},
      {"/healthz", "healthz"},
      {"/metrics", "metrics"},
  };
  for (const auto& [prefix, name] : kRoutes) {
    if (path.rfind(prefix, 0) == 0) return name;
  }
  return "static";
}

}  // namespace

struct ApiServer::Impl {
  explicit Impl(const DataView& data) : cache(data) {}
  // Rendered answers of the signals and outage routes, per data generation. Declared before the
  // server, whose handlers refer to it, so that it outlives them.
  RenderCache cache;
  httplib::Server http;
  std::atomic<bool> running{false};
  // The data's provenance (with the server's notice when it marks a simulation), per generation.
  std::mutex provenance_mu;
  uint64_t provenance_gen = 0;
  std::shared_ptr<const report::Provenance> provenance;
  std::shared_ptr<const std::string> provenance_json;
};

// CORS (ServerOptions::cors_origins): the Access-Control-Allow-Origin a read answer carries, if
// the request's Origin may read it. Returns whether it was allowed.
bool ApiServer::AllowOrigin(const httplib::Request& req, httplib::Response& res) const {
  const std::vector<std::string>& allowed = options_.cors_origins;
  if (allowed.empty()) return false;
  if (std::find(allowed.begin(), allowed.end(), "*") != allowed.end()) {
    res.set_header("Access-Control-Allow-Origin", "*");
    return true;
  }
  const std::string origin = req.get_header_value("Origin");
  res.set_header("Vary", "Origin");
  if (origin.empty() || std::find(allowed.begin(), allowed.end(), origin) == allowed.end()) {
    return false;
  }
  res.set_header("Access-Control-Allow-Origin", origin);
  return true;
}

// A CORS preflight: allowed for reads (GET, HEAD) of any route but the state-changing ones, with
// the headers IODA's dashboard sends (x-requested-with, Content-Type: application/json); a
// preflight for anything else gets 403 and no Access-Control-Allow-* header, so browsers send
// nothing.
void ApiServer::AnswerPreflight(const httplib::Request& req, httplib::Response& res) const {
  const std::string method = req.get_header_value("Access-Control-Request-Method");
  const bool read = method.empty() || method == "GET" || method == "HEAD";
  const bool admin = req.path.rfind("/api/v2/admin/", 0) == 0;
  if (!read || admin || !AllowOrigin(req, res)) {
    res.status = 403;
    res.headers.erase("Access-Control-Allow-Origin");
    return;
  }
  res.status = 204;
  res.set_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
  const std::string asked = req.get_header_value("Access-Control-Request-Headers");
  res.set_header("Access-Control-Allow-Headers",
                 asked.empty() ? "Accept, Content-Type, X-Requested-With" : asked);
  res.set_header("Access-Control-Max-Age", "86400");
}

ApiServer::ApiServer(const DataView& data, ServerOptions options, Actions actions)
    : data_(data),
      options_(std::move(options)),
      actions_(std::move(actions)),
      impl_(std::make_unique<Impl>(data)) {
  if (!options_.now) options_.now = WallNow;
  auto& http = impl_->http;
  const int threads = std::max(1, options_.threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_tcp_nodelay(true);
  http.set_keep_alive_max_count(100000);
  http.set_keep_alive_timeout(5);
  http.set_read_timeout(5, 0);
  http.set_write_timeout(5, 0);
  http.set_payload_max_length(1 << 20);

  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    t_request_start = Clock::now();
    SetRequestProvenance(ProvenanceJson());
    if (req.method == "OPTIONS") {
      AnswerPreflight(req, res);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.method != "GET" && req.method != "HEAD") return;
    AllowOrigin(req, res);
  });
  http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    double secs = std::chrono::duration<double>(Clock::now() - t_request_start).count();
    metrics_.ObserveRequest(RouteName(req.path), res.status, secs);
  });
  http.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
        SendError(req, res, 500, "error", "internal error");
      });
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string msg = res.status == 404 ? "no such endpoint" : "request not understood";
    res.set_content(Envelope("error", req, "", msg), "application/json");
  });

  const RouteContext ctx{
      .data = data_,
      .options = options_,
      .actions = actions_,
      .metrics = metrics_,
      .cache = impl_->cache,
      .provenance = [this] { return CurrentProvenance(); },
      .base_url = [this](const httplib::Request& req) { return BaseUrl(req); },
      .add_annotation =
          [this](Annotation a) {
            std::lock_guard lock(annotations_mu_);
            annotations_.push_back(std::move(a));
          },
      .annotations = [this] { return Annotations(); },
  };
  // Registration order is matching order: the dashboard's catch-all comes last.
  RegisterSignalRoutes(http, ctx);
  RegisterEventRoutes(http, ctx);
  RegisterReportRoutes(http, ctx);
  RegisterEntityRoutes(http, ctx);
  RegisterFeedRoutes(http, ctx);
  RegisterAnnotationRoutes(http, ctx);
  RegisterSubscriptionRoutes(http, ctx);
  RegisterStaticRoutes(http, ctx);
}

ApiServer::~ApiServer() { Stop(); }

Status ApiServer::Bind() {
  auto& http = impl_->http;
  if (options_.port == 0) {
    int p = http.bind_to_any_port(options_.host);
    if (p <= 0) return Unavailable("cannot bind " + options_.host);
    port_ = p;
  } else {
    if (!http.bind_to_port(options_.host, options_.port)) {
      return Unavailable("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                         " (address in use?)");
    }
    port_ = options_.port;
  }
  return Status::Ok();
}

void ApiServer::Run() {
  impl_->running = true;
  impl_->http.listen_after_bind();
  impl_->running = false;
}

Status ApiServer::Start() {
  BLACKOUT_RETURN_IF_ERROR(Bind());
  thread_ = std::thread([this] { Run(); });
  while (!impl_->http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void ApiServer::Stop() {
  impl_->http.stop();
  if (thread_.joinable()) thread_.join();
}

std::string ApiServer::BaseUrl(const httplib::Request& req) const {
  if (!options_.public_url.empty()) {
    std::string u = options_.public_url;
    while (!u.empty() && u.back() == '/') u.pop_back();
    return u;
  }
  // The Host the client used, when it is a plain host[:port] (it is echoed into XML and JSON).
  const std::string host = req.get_header_value("Host");
  const bool plain =
      !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
               c == '[' || c == ']';
      });
  if (plain) return "http://" + host;
  return "http://" + options_.host + ":" + std::to_string(port_);
}

std::shared_ptr<const report::Provenance> ApiServer::CurrentProvenance() const {
  const uint64_t gen = data_.Generation();
  std::lock_guard lock(impl_->provenance_mu);
  if (impl_->provenance && impl_->provenance_gen == gen) return impl_->provenance;
  report::Provenance p = data_.Provenance();
  if (!p.simulation && report::IsSimulationNotice(options_.notice)) {
    p.simulation = true;
    p.notice = options_.notice;
  }
  json j = {{"simulation", p.simulation},
            {"notice", p.simulation ? p.notice : std::string()},
            {"sources", p.Attribution()}};
  impl_->provenance = std::make_shared<const report::Provenance>(std::move(p));
  impl_->provenance_json = std::make_shared<const std::string>(Dump(j));
  impl_->provenance_gen = gen;
  return impl_->provenance;
}

std::shared_ptr<const std::string> ApiServer::ProvenanceJson() const {
  CurrentProvenance();
  std::lock_guard lock(impl_->provenance_mu);
  return impl_->provenance_json;
}

std::vector<Annotation> ApiServer::Annotations() const {
  std::lock_guard lock(annotations_mu_);
  std::vector<Annotation> all = annotations_;
  all.insert(all.end(), curated_.begin(), curated_.end());
  return all;
}

void ApiServer::ReplaceCurated(std::vector<Annotation> curated) {
  std::lock_guard lock(annotations_mu_);
  curated_ = std::move(curated);
}

}  // namespace blackout::server
