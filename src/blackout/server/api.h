// The HTTP API (IODA v2 shapes, docs/api.md) and the dashboard's static files, served with
// cpp-httplib from a thread pool. Reads go through a DataView; state-changing endpoints (POST) need
// `Authorization: Bearer <token>` and call the injected Actions. Every answer under /api is JSON
// (or CSV/Atom when asked for), errors included; bad input gets 400, unknown entities 404.
// Thread-safety: Start/Stop from one thread; handlers run concurrently on the pool.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/server/data.h"
#include "blackout/server/metrics.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace blackout::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 = any free port (see ApiServer::port())
  // Bearer token for state-changing endpoints. Empty = those endpoints always answer 401.
  std::string token;
  // The dashboard bundle (web/dist). Missing = a plain page saying how to build it.
  std::filesystem::path web_root;
  int threads = 16;
  // Shown by /api/v2/meta and the fallback page, e.g. "SIMULATION: scenario kazakhstan-2022".
  std::string notice;
  // The public base URL of the service ("https://observatory.example.org") for the feeds'
  // absolute links; "" = from the request's Host header ("http://HOST").
  std::string public_url;
  // Clock for the default time range ("now"); injectable for tests.
  std::function<int64_t()> now;
  // Browser origins allowed to read the API across origins (CORS, as IODA's read API allows any):
  // "*" = any origin; otherwise the listed origins ("https://dashboard.example.org"), echoed back
  // with Vary: Origin; empty = no CORS headers. Reads only (GET, HEAD and their preflights): the
  // state-changing endpoints never answer a cross-origin preflight and stay token-protected.
  std::vector<std::string> cors_origins = {"*"};
};

// A note on an entity and time range: a user's (POST /api/v2/annotations, needs the token), or a
// curated list's record (`blackout import annotations`, curated/curated.h: source set).
struct Annotation {
  std::string entity_type;
  std::string entity_code;
  int64_t from = 0;
  int64_t until = 0;
  std::string text;
  // Curated records only ("" for a user's note).
  std::string source;  // "keepiton", "ioda-investigated", "radar"
  std::string id;      // unique within the source
  std::string kind;    // "shutdown", "outage", ...
  std::string cause;
  std::string area;
  std::string link;
  bool whole_days = false;  // dates only: [from, until) are UTC midnights
  bool open_end = false;    // no end recorded: `until` is a day after `from`
};

// What the state-changing endpoints do. Unset = 501 Not Implemented (after authentication).
struct Actions {
  std::function<Status()> reingest;  // POST /api/v2/admin/reingest
  // Webhook subscriptions (/api/v2/admin/subscriptions, notify/subscription.h): add takes the JSON
  // body and answers the stored subscription as JSON, its secret never included; list answers a
  // JSON array; remove answers kNotFound for an unknown id. kInvalidArgument -> 400.
  std::function<Result<std::string>(const std::string& body)> add_subscription;
  std::function<Result<std::string>()> list_subscriptions;
  std::function<Status(const std::string& id)> remove_subscription;
  // POST /api/v2/admin/probe/upload: a vantage point's block list or one round of its records
  // (docs/probe.md, "Reporting to the observatory"). Returns the answer's data (JSON); errors are
  // answered kDataLoss/kInvalidArgument -> 400, kNotFound (no block list yet) -> 409, else 500.
  std::function<Result<std::string>(std::string_view body)> probe_upload;
  // GET /api/v2/probe/vantages: the vantage points and their health (JSON array).
  std::function<std::string()> probe_vantages;
};

class ApiServer {
 public:
  ApiServer(const DataView& data, ServerOptions options, Actions actions = {});
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds the listening socket (Unavailable if the address is taken).
  Status Bind();
  // The bound port (after Bind).
  int port() const { return port_; }
  // Serves until Stop(). REQUIRES: Bind() succeeded.
  void Run();
  // Bind() + Run() on a background thread.
  Status Start();
  // Stops accepting, finishes requests in flight, joins the background thread. Idempotent.
  void Stop();

  Metrics& metrics() { return metrics_; }
  // The users' notes and the curated records.
  std::vector<Annotation> Annotations() const;
  // Replaces the curated records (the service, after each pass, from the store).
  void ReplaceCurated(std::vector<Annotation> curated);
  // Where the served data come from: the data's provenance, marked as a simulation also when
  // ServerOptions::notice says so (the rule /api/v2/meta uses). Cached per data generation.
  std::shared_ptr<const report::Provenance> CurrentProvenance() const;

 private:
  struct Impl;
  // "http://host:port" for absolute links in the feeds (ServerOptions::public_url, else Host).
  std::string BaseUrl(const httplib::Request& req) const;
  // CORS (ServerOptions::cors_origins): the allow header of a read answer; a preflight's answer.
  bool AllowOrigin(const httplib::Request& req, httplib::Response& res) const;
  void AnswerPreflight(const httplib::Request& req, httplib::Response& res) const;
  // {"simulation", "notice", "sources"} as JSON, for the envelope's metadata.
  std::shared_ptr<const std::string> ProvenanceJson() const;
  const DataView& data_;
  ServerOptions options_;
  Actions actions_;
  Metrics metrics_;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex annotations_mu_;
  std::vector<Annotation> annotations_;
  std::vector<Annotation> curated_;  // guarded by annotations_mu_
};

}  // namespace blackout::server
