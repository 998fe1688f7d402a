// Webhook subscriptions through the token-protected write API (docs/notify.md, docs/api.md):
//   GET    /api/v2/admin/subscriptions       the subscriptions, secrets never shown
//   POST   /api/v2/admin/subscriptions       add one (JSON body); 201 with the stored form
//   DELETE /api/v2/admin/subscriptions/ID    remove one; 404 if unknown
// Every one needs the bearer token, reads included (a subscription's URL may carry a token of
// the receiver's). The work is the service's (Actions::*_subscription; notify/subscription.h).
#include <httplib.h>

#include "blackout/server/routes.h"

namespace blackout::server {
namespace {

int HttpStatusFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kDataLoss:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    default:
      return 500;
  }
}

void ServeList(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Authorized(req, res, ctx.options.token)) return;
  if (!ctx.actions.list_subscriptions) {
    return SendError(req, res, 501, "subscriptions", "subscriptions not available");
  }
  auto r = ctx.actions.list_subscriptions();
  if (!r.ok())
    return SendError(req, res, HttpStatusFor(r.status()), "subscriptions", r.status().message());
  res.set_content(Envelope("subscriptions", req, *r, ""), "application/json");
}

void ServeAdd(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Authorized(req, res, ctx.options.token)) return;
  if (!ctx.actions.add_subscription) {
    return SendError(req, res, 501, "subscriptions", "subscriptions not available");
  }
  if (req.body.size() > 64 * 1024) {
    return SendError(req, res, 413, "subscriptions", "body larger than 64 KiB");
  }
  auto r = ctx.actions.add_subscription(req.body);
  if (!r.ok())
    return SendError(req, res, HttpStatusFor(r.status()), "subscriptions", r.status().message());
  res.status = 201;
  res.set_content(Envelope("subscriptions", req, *r, ""), "application/json");
}

void ServeRemove(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Authorized(req, res, ctx.options.token)) return;
  if (!ctx.actions.remove_subscription) {
    return SendError(req, res, 501, "subscriptions", "subscriptions not available");
  }
  Status st = ctx.actions.remove_subscription(req.matches[1]);
  if (!st.ok()) return SendError(req, res, HttpStatusFor(st), "subscriptions", st.message());
  res.set_content(Envelope("subscriptions", req, "{\"removed\":true}", ""), "application/json");
}

}  // namespace

void RegisterSubscriptionRoutes(httplib::Server& http, const RouteContext& ctx) {
  http.Get(
      "/api/v2/admin/subscriptions",
      [ctx](const httplib::Request& req, httplib::Response& res) { ServeList(ctx, req, res); });
  http.Post(
      "/api/v2/admin/subscriptions",
      [ctx](const httplib::Request& req, httplib::Response& res) { ServeAdd(ctx, req, res); });
  http.Delete(
      R"(/api/v2/admin/subscriptions/(sub-[0-9a-f]{16}))",
      [ctx](const httplib::Request& req, httplib::Response& res) { ServeRemove(ctx, req, res); });
}

}  // namespace blackout::server
