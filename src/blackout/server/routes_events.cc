// GET /api/v2/outages/alerts, /events and /summary: the detector's judgements, filtered by time,
// entity, relation and datasource, paged, and cached per data generation (docs/api.md).
#include <httplib.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "blackout/server/json_views.h"
#include "blackout/server/params.h"
#include "blackout/server/routes.h"
#include "blackout/store/entity_ref.h"
#include "blackout/store/store.h"

namespace blackout::server {
namespace {

using json = nlohmann::json;

// Common outage filters; writes a 400/404 and returns nullopt on bad input.
std::optional<OutageQuery> ParseOutageQuery(const RouteContext& ctx, const httplib::Request& req,
                                            httplib::Response& res, const std::string& type) {
  auto range = ParseRange(Param(req, "from"), Param(req, "until"), ctx.options.now());
  if (!range.ok()) {
    SendError(req, res, 400, type, range.status().message());
    return std::nullopt;
  }
  OutageQuery q;
  q.from = range->from;
  q.until = range->until;
  if (auto t = Param(req, "entityType")) {
    if (!IsEntityType(*t)) {
      SendError(req, res, 400, type, "entityType must be country, region or asn");
      return std::nullopt;
    }
    q.entity_type = *t;
  }
  if (auto c = Param(req, "entityCode")) {
    if (!IsEntityCode(*c)) {
      SendError(req, res, 400, type, "entityCode is malformed");
      return std::nullopt;
    }
    if (!q.entity_type) {
      SendError(req, res, 400, type, "entityCode needs entityType");
      return std::nullopt;
    }
    if (!ctx.data.FindEntity(*q.entity_type, *c)) {
      SendError(req, res, 404, type, "unknown entity " + *q.entity_type + "/" + *c);
      return std::nullopt;
    }
    q.entity_code = *c;
  }
  if (auto r = Param(req, "relatedTo")) {
    if (!IsEntityRef(*r)) {
      SendError(req, res, 400, type, "relatedTo must be TYPE/CODE, e.g. country/KZ");
      return std::nullopt;
    }
    q.related_to = *r;
  }
  if (auto d = Param(req, "datasource")) {
    if (!IsDatasourceName(*d)) {
      SendError(req, res, 400, type, "datasource is malformed");
      return std::nullopt;
    }
    q.datasource = *d;
  }
  return q;
}

std::string QueryKey(const std::string& route, const OutageQuery& q, int64_t limit, int64_t page,
                     const std::string& extra) {
  return route + "|" + std::to_string(q.from) + "|" + std::to_string(q.until) + "|" +
         q.entity_type.value_or("") + "|" + q.entity_code.value_or("") + "|" +
         q.related_to.value_or("") + "|" + q.datasource.value_or("") + "|" + std::to_string(limit) +
         "|" + std::to_string(page) + "|" + extra;
}

bool ParsePaging(const httplib::Request& req, httplib::Response& res, const std::string& type,
                 int64_t* limit, int64_t* page) {
  auto l = ParseInt("limit", Param(req, "limit"), kMaxLimit, 1, kMaxLimit);
  auto p = ParseInt("page", Param(req, "page"), 0, 0, 1000000);
  if (!l.ok() || !p.ok()) {
    SendError(req, res, 400, type, (!l.ok() ? l.status() : p.status()).message());
    return false;
  }
  *limit = *l;
  *page = *p;
  return true;
}

// Page `page` (of `limit` items) of `items`, each rendered by `render`, as a JSON array.
template <typename T, typename Render>
std::string PageJson(const std::vector<T>& items, int64_t limit, int64_t page, Render render) {
  json out = json::array();
  size_t first = static_cast<size_t>(page * limit);
  for (size_t i = first; i < items.size() && out.size() < static_cast<size_t>(limit); ++i) {
    out.push_back(render(items[i]));
  }
  return Dump(out);
}

std::string AlertsPage(const DataView& data, const OutageQuery& q, int64_t limit, int64_t page) {
  return PageJson(data.Alerts(q), limit, page, [&](const Alert& a) {
    return json{{"datasource", a.datasource},
                {"entity", EntityRef(data, a.entity_type, a.entity_code)},
                {"time", a.time},
                {"level", a.level},
                {"condition", a.condition},
                {"value", NumberOrNull(a.value)},
                {"historyValue", NumberOrNull(a.history_value)},
                {"method", "median"}};
  });
}

std::string EventsPage(const DataView& data, const OutageQuery& q, int64_t limit, int64_t page) {
  return PageJson(data.Events(q), limit, page,
                  [&](const Event& e) { return EventJson(data, e, q.until); });
}

// The entities with events in the query, by their summed score (highest first), with the sum per
// datasource and the number of events: the store's one summary (store::SummarizeEventList).
std::string SummaryPage(const DataView& data, const OutageQuery& q, int64_t limit, int64_t page) {
  const std::vector<store::EventSummary> rows = store::SummarizeEventList(data.Events(q));
  return PageJson(rows, limit, page, [&](const store::EventSummary& r) {
    json scores = {{"overall", r.total_score}};
    for (const auto& [signal, s] : r.signal_scores) scores[store::IodaDatasource(signal)] = s;
    const store::EntityRef where = store::EntityRef::FromCanonical(r.entity);
    return json{{"scores", scores},
                {"event_cnt", r.events},
                {"entity", EntityRef(data, where.type(), where.code())}};
  });
}

using PageRenderer = std::string (*)(const DataView&, const OutageQuery&, int64_t, int64_t);

// What the three routes share: filters, paging, and one page rendered once per data generation.
void ServeOutages(const RouteContext& ctx, const std::string& type, PageRenderer render,
                  const httplib::Request& req, httplib::Response& res) {
  auto q = ParseOutageQuery(ctx, req, res, type);
  if (!q) return;
  int64_t limit, page;
  if (!ParsePaging(req, res, type, &limit, &page)) return;
  std::string data = ctx.cache.Get(QueryKey(type, *q, limit, page, ""),
                                   [&] { return render(ctx.data, *q, limit, page); });
  SetBody(req, res, Envelope(type, req, data, ""), "application/json");
}

}  // namespace

void RegisterEventRoutes(httplib::Server& http, const RouteContext& ctx) {
  auto route = [&](const char* path, const std::string& type, PageRenderer render) {
    http.Get(path, [ctx, type, render](const httplib::Request& req, httplib::Response& res) {
      ServeOutages(ctx, type, render, req, res);
    });
  };
  route("/api/v2/outages/alerts", "alerts", AlertsPage);
  route("/api/v2/outages/events", "events", EventsPage);
  route("/api/v2/outages/summary", "summary", SummaryPage);
}

}  // namespace blackout::server
