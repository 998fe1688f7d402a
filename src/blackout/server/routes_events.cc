// GET /api/v2/outages/alerts, /events and /summary (and the same under /ioda/v2 with IODA's
// meanings, ioda.h): the detector's judgements, filtered by time, entities, relation, datasource
// and detection method, ordered, paged, and cached per data generation (docs/api.md).
#include <httplib.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <vector>

#include "blackout/server/ioda.h"
#include "blackout/server/json_views.h"
#include "blackout/server/params.h"
#include "blackout/server/routes.h"
#include "blackout/store/entity_ref.h"
#include "blackout/store/store.h"

namespace blackout::server {
namespace {

using json = nlohmann::json;

// IODA answers every match when no limit is given; blackout's own API keeps its default of 1,000.
constexpr int64_t kIodaMaxLimit = 100000;
constexpr int64_t kMaxExtendWindow = 30 * 86400;

// Everything one outage request asks for, validated.
struct OutageRequest {
  std::vector<OutageQuery> queries;  // one per entity code asked for (one when none)
  bool ioda = false;
  int64_t limit = 0, page = 0;
  std::string format = "codf";      // events: codf (IODA's default rows) or ioda (objects)
  bool include_alerts = false;      // events in format=ioda: their alerts
  bool overall = false;             // IODA's merged events: scores combined across datasources
  std::string order_attr, order;    // orderBy=attr/order
  std::vector<std::string> ignore;  // ignoreMethods: "<datasource>.<method>", '*' wildcards
  UnixSeconds from = 0, until = 0;  // the window asked for (before extendWindow)
  std::string Key(const std::string& route) const;
};

std::string OutageRequest::Key(const std::string& route) const {
  std::string k = route + "|" + std::to_string(from) + "|" + std::to_string(until);
  for (const OutageQuery& q : queries) {
    k += "|" + std::to_string(q.from) + "," + std::to_string(q.until) + "," +
         q.entity_type.value_or("") + "," + q.entity_code.value_or("") + "," +
         q.related_to.value_or("") + "," + q.datasource.value_or("");
  }
  k += "|" + std::to_string(limit) + "|" + std::to_string(page) + "|" + format + "|" +
       (include_alerts ? "a" : "") + (overall ? "o" : "") + (ioda ? "i" : "") + "|" + order_attr +
       "/" + order + "|";
  for (const std::string& i : ignore) k += i + ",";
  return k;
}

// `ignoreMethods` matches datasource `ds` detected by `method`.
bool Ignored(const OutageRequest& r, const std::string& ds, const std::string& method) {
  for (const std::string& term : r.ignore) {
    const size_t dot = term.find('.');
    const std::string d = term.substr(0, dot);
    const std::string m = dot == std::string::npos ? "*" : term.substr(dot + 1);
    if ((d == "*" || d == ds) && (m == "*" || m == method)) return true;
  }
  return false;
}

// Writes a 400 and returns false when `ok` is false.
bool Check(bool ok, const httplib::Request& req, httplib::Response& res, const std::string& type,
           const std::string& message) {
  if (!ok) SendError(req, res, 400, type, message);
  return ok;
}

// The entity filters: writes a 400/404 and returns false on bad input.
bool ParseEntities(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const std::string& type, OutageQuery base, OutageRequest* r) {
  if (auto t = Param(req, "entityType")) {
    if (!Check(IsEntityType(*t), req, res, type,
               "entityType must be country, region, asn or geoasn")) {
      return false;
    }
    base.entity_type = *t;
  }
  if (auto rel = Param(req, "relatedTo")) {
    if (!Check(IsEntityRef(*rel), req, res, type, "relatedTo must be TYPE/CODE, e.g. country/KZ")) {
      return false;
    }
    const store::EntityRef e = store::EntityRef::FromCanonical(*rel);
    base.related_to = std::string(e.type()) + "/" + CanonicalCode(e.type(), e.code());
  }
  if (auto d = Param(req, "datasource")) {
    if (!Check(IsDatasourceName(*d), req, res, type, "datasource is malformed")) return false;
    base.datasource = *d;
  }
  auto codes = Param(req, "entityCode");
  if (!codes) {
    r->queries.push_back(base);
    return true;
  }
  const std::vector<std::string> list = SplitList(*codes);
  if (!Check(!list.empty() && list.size() <= 100, req, res, type, "entityCode is malformed")) {
    return false;
  }
  if (!Check(base.entity_type.has_value(), req, res, type, "entityCode needs entityType")) {
    return false;
  }
  for (const std::string& c : list) {
    if (!Check(IsEntityCode(c), req, res, type, "entityCode is malformed")) return false;
    OutageQuery q = base;
    q.entity_code = CanonicalCode(*base.entity_type, c);
    // An unknown entity: 404 in blackout's API when it is the only one asked for; IODA answers
    // an empty list, and lists skip it.
    if (!ctx.data.FindEntity(*q.entity_type, *q.entity_code)) {
      if (list.size() == 1 && !r->ioda) {
        SendError(req, res, 404, type, "unknown entity " + *q.entity_type + "/" + c);
        return false;
      }
      continue;
    }
    r->queries.push_back(std::move(q));
  }
  return true;
}

// IODA's optional parameters: format, includeAlerts, overall, orderBy, ignoreMethods.
bool ParseIodaOptions(const httplib::Request& req, httplib::Response& res, const std::string& type,
                      OutageRequest* r) {
  r->format = Param(req, "format").value_or("codf");
  if (!Check(r->format == "codf" || r->format == "ioda", req, res, type,
             "format must be codf or ioda")) {
    return false;
  }
  const std::string alerts = Param(req, "includeAlerts").value_or("false");
  if (!Check(alerts == "true" || alerts == "false" || alerts == "1" || alerts == "0", req, res,
             type, "includeAlerts must be true or false")) {
    return false;
  }
  r->include_alerts = alerts == "true" || alerts == "1";
  r->overall = req.has_param("overall");
  r->order_attr = type == "summary" ? "score" : type == "events" ? "time" : "";
  r->order = type == "summary" ? "desc" : "asc";
  if (auto o = Param(req, "orderBy")) {
    const size_t slash = o->find('/');
    r->order_attr = o->substr(0, slash);
    r->order = slash == std::string::npos ? "asc" : o->substr(slash + 1);
    if (!Check(r->order_attr == "time" || r->order_attr == "score" || r->order_attr == "name", req,
               res, type, "orderBy attribute must be time, score or name") ||
        !Check(r->order == "asc" || r->order == "desc", req, res, type,
               "orderBy order must be asc or desc")) {
      return false;
    }
  }
  if (auto ig = Param(req, "ignoreMethods")) {
    r->ignore = SplitList(*ig);
    for (const std::string& t : r->ignore) {
      if (!Check(t.size() <= 64, req, res, type, "ignoreMethods is malformed")) return false;
    }
  }
  return true;
}

// Every parameter; writes the error answer and returns nullopt on bad input.
std::optional<OutageRequest> ParseOutageRequest(const RouteContext& ctx,
                                                const httplib::Request& req, httplib::Response& res,
                                                const std::string& type) {
  OutageRequest r;
  r.ioda = IsIodaRequest(req);
  auto range = ParseRange(Param(req, "from"), Param(req, "until"), ctx.options.now());
  if (!Check(range.ok(), req, res, type, range.ok() ? "" : range.status().message())) {
    return std::nullopt;
  }
  r.from = range->from;
  r.until = range->until;
  auto extend = ParseInt("extendWindow", Param(req, "extendWindow"), 0, 0, kMaxExtendWindow);
  if (!Check(extend.ok(), req, res, type, extend.ok() ? "" : extend.status().message())) {
    return std::nullopt;
  }
  OutageQuery base;
  base.from = range->from - *extend;
  base.until = range->until + *extend;
  const int64_t max_limit = r.ioda ? kIodaMaxLimit : kMaxLimit;
  auto l = ParseInt("limit", Param(req, "limit"), max_limit, 1, max_limit);
  auto p = ParseInt("page", Param(req, "page"), 0, 0, 1000000);
  if (!Check(l.ok() && p.ok(), req, res, type,
             (!l.ok()  ? l.status()
              : p.ok() ? Status::Ok()
                       : p.status())
                 .message())) {
    return std::nullopt;
  }
  r.limit = *l;
  r.page = *p;
  if (!ParseIodaOptions(req, res, type, &r)) return std::nullopt;
  if (!ParseEntities(ctx, req, res, type, base, &r)) return std::nullopt;
  return r;
}

// Page `page` (of `limit` items) of `items`, each rendered by `render`, as a JSON array.
template <typename T, typename Render>
std::string PageJson(const std::vector<T>& items, int64_t limit, int64_t page, Render render) {
  json out = json::array();
  const size_t first = static_cast<size_t>(page * limit);
  for (size_t i = first; i < items.size() && out.size() < static_cast<size_t>(limit); ++i) {
    out.push_back(render(items[i]));
  }
  return Dump(out);
}

// The bad-bin alerts of every query, without ignored methods, in time order.
std::vector<Alert> BadAlerts(const DataView& data, const OutageRequest& r) {
  std::vector<Alert> out;
  for (const OutageQuery& q : r.queries) {
    for (Alert& a : data.Alerts(q)) {
      if (!Ignored(r, a.datasource, IodaMethod(a.datasource))) out.push_back(std::move(a));
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Alert& a, const Alert& b) { return a.time < b.time; });
  return out;
}

// Alerts as this client reads them: IODA's level changes (normal included) under /ioda/v2,
// blackout's one alert per bad bin under /api/v2.
std::vector<Alert> ClientAlerts(const DataView& data, const OutageRequest& r) {
  std::vector<Alert> bad = BadAlerts(data, r);
  if (!r.ioda) return bad;
  const UnixSeconds until = r.queries.empty() ? r.until : r.queries.front().until;
  // A recovery is where the series has a value again (no data is never "normal").
  auto first_value = [&data](const Alert& of, UnixSeconds from,
                             UnixSeconds to) -> std::optional<std::pair<UnixSeconds, double>> {
    for (const Series& s :
         data.GetSeries(of.entity_type, of.entity_code, of.datasource, from, to)) {
      for (size_t i = 0; i < s.values.size(); ++i) {
        const UnixSeconds t = s.from + s.step * static_cast<int64_t>(i);
        if (t >= from && t < to && !std::isnan(s.values[i])) {
          return std::make_pair(t, s.values[i]);
        }
      }
    }
    return std::nullopt;
  };
  return LevelChanges(bad, until, data.Datasources(), first_value);
}

json AlertJson(const DataView& data, const Alert& a, bool ioda) {
  return json{{"datasource", a.datasource},
              {"entity", ClientEntityRef(data, a.entity_type, a.entity_code, ioda)},
              {"time", a.time},
              {"level", a.level},
              {"condition", a.condition},
              {"value", NumberOrNull(a.value)},
              {"historyValue", NumberOrNull(a.history_value)},
              {"method", IodaMethod(a.datasource)}};
}

std::string AlertsPage(const DataView& data, const OutageRequest& r) {
  return PageJson(ClientAlerts(data, r), r.limit, r.page,
                  [&](const Alert& a) { return AlertJson(data, a, r.ioda); });
}

// Sort keys (number, then name): `order` applies to the number (or to the name when the numbers
// are equal by construction, orderBy=name); ties on the number go by name, ascending.
bool Before(const std::pair<double, std::string>& a, const std::pair<double, std::string>& b,
            const std::string& order) {
  if (a.first != b.first) return order == "desc" ? a.first > b.first : a.first < b.first;
  if (a.second != b.second) {
    const bool by_name = a.first == 0 && b.first == 0;
    return by_name && order == "desc" ? a.second > b.second : a.second < b.second;
  }
  return false;
}

// The events of every query with ignored datasources taken out (an event left with none is
// dropped), ordered as asked.
std::vector<Event> ClientEvents(const DataView& data, const OutageRequest& r) {
  std::vector<Event> out;
  for (const OutageQuery& q : r.queries) {
    for (Event& e : data.Events(q)) {
      if (!r.ignore.empty()) {
        std::erase_if(e.signals, [&](const std::string& s) {
          const std::string ds = store::IodaDatasource(s);
          return Ignored(r, ds, IodaMethod(ds));
        });
        if (e.signals.empty()) continue;
      }
      out.push_back(std::move(e));
    }
  }
  auto key = [&](const Event& e) -> std::pair<double, std::string> {
    if (r.order_attr == "score") return {IodaScore(e), ""};
    if (r.order_attr == "name") return {0, e.entity};
    return {static_cast<double>(e.start), ""};
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const Event& a, const Event& b) { return Before(key(a), key(b), r.order); });
  return out;
}

// IODA's per-datasource scores of one event, from its bad bins (ioda.h), ignored methods left out.
json EventSourceScores(const DataView& data, const Event& e, const OutageRequest& r,
                       UnixSeconds until) {
  const store::EntityRef where = store::EntityRef::FromCanonical(e.entity);
  OutageQuery q;
  q.entity_type = std::string(where.type());
  q.entity_code = std::string(where.code());
  q.from = e.start;
  q.until = e.end.value_or(until);
  std::vector<Alert> alerts;
  for (Alert& a : data.Alerts(q)) {
    const bool shown = std::any_of(e.signals.begin(), e.signals.end(), [&](const std::string& s) {
      return store::IodaDatasource(s) == a.datasource;
    });
    if (shown && !Ignored(r, a.datasource, IodaMethod(a.datasource))) {
      alerts.push_back(std::move(a));
    }
  }
  return IodaSourceScores(e, alerts, data.Datasources());
}

// One event as the client reads it. blackout's own fields (EventJson) with IODA's scale beside
// them; under /ioda/v2 `score` is IODA's and region codes are aliases; format=ioda gives IODA's
// event objects ({entity, from, until, score, datasource, method[, alerts]}) with blackout's id.
json ClientEventJson(const DataView& data, const Event& e, const OutageRequest& r) {
  const store::EntityRef where = store::EntityRef::FromCanonical(e.entity);
  const std::string type(where.type()), code(where.code());
  const UnixSeconds until = r.queries.empty() ? r.until : r.queries.front().until;
  const json per_source = EventSourceScores(data, e, r, until);
  double largest = 0;
  for (const auto& [k, v] : per_source.items()) largest = std::max(largest, v.get<double>());
  const double ioda_score = r.overall ? IodaOverallScore(per_source) : largest;
  if (r.format == "ioda") {
    json out = {{"entity", ClientEntityRef(data, type, code, r.ioda)},
                {"from", e.start},
                {"until", e.end.value_or(until)},
                {"score", r.ioda ? ioda_score : e.score},
                {"datasource", e.signals.size() == 1 ? store::IodaDatasource(e.signals[0])
                                                     : std::string("overall")},
                {"method", e.signals.size() == 1 ? IodaMethod(store::IodaDatasource(e.signals[0]))
                                                 : std::string("multiple")},
                {"id", e.EffectiveId()}};
    if (r.include_alerts) {
      OutageRequest one = r;
      one.queries = {};
      OutageQuery q;
      q.entity_type = type;
      q.entity_code = code;
      q.from = e.start;
      q.until = e.end.value_or(until);
      one.queries.push_back(q);
      json alerts = json::array();
      for (const Alert& a : ClientAlerts(data, one)) alerts.push_back(AlertJson(data, a, r.ioda));
      out["alerts"] = std::move(alerts);
    }
    return out;
  }
  json out = EventJson(data, e, until);
  out["entity"] = ClientEntityRef(data, type, code, r.ioda);
  out["location"] = type + "/" + ClientCode(r.ioda, type, code);
  out["overlaps_window"] = e.start < r.from;
  out["iodaScore"] = ioda_score;
  out["iodaScores"] = per_source;
  if (r.ioda) {
    out["score"] = ioda_score;
    out["blackoutScore"] = NumberOrNull(e.score);
  }
  return out;
}

std::string EventsPage(const DataView& data, const OutageRequest& r) {
  return PageJson(ClientEvents(data, r), r.limit, r.page,
                  [&](const Event& e) { return ClientEventJson(data, e, r); });
}

// One entity's summary: blackout's summed scores and, beside them, IODA's: per
// "<datasource>.<method>" the sum of its events' scores, and `overall` the sum over events of the
// product of their per-datasource scores (IODA's rule for merged events).
struct SummaryRow {
  std::string entity;
  int64_t events = 0;
  double score = 0;                       // blackout's: summed event scores
  std::map<std::string, double> signals;  // blackout's per datasource
  double ioda_overall = 0;
  std::map<std::string, double> ioda;  // "<datasource>.<method>" -> summed IODA scores
};

std::string SummaryPage(const DataView& data, const OutageRequest& r) {
  std::map<std::string, SummaryRow> rows;
  for (const Event& e : ClientEvents(data, r)) {
    SummaryRow& row = rows[e.entity];
    row.entity = e.entity;
    ++row.events;
    row.score += e.score;
    const json per_source = EventSourceScores(data, e, r, r.until);
    row.ioda_overall += IodaOverallScore(per_source);
    for (const std::string& s : e.signals) row.signals[store::IodaDatasource(s)] += e.score;
    for (const auto& [k, v] : per_source.items()) row.ioda[k] += v.get<double>();
  }
  std::vector<SummaryRow> list;
  for (auto& [k, row] : rows) list.push_back(std::move(row));
  auto key = [&](const SummaryRow& s) -> std::pair<double, std::string> {
    if (r.order_attr == "name") return {0, s.entity};
    return {r.ioda ? s.ioda_overall : s.score, s.entity};
  };
  std::stable_sort(list.begin(), list.end(), [&](const SummaryRow& a, const SummaryRow& b) {
    return Before(key(a), key(b), r.order);
  });
  return PageJson(list, r.limit, r.page, [&](const SummaryRow& s) {
    json ioda = {{"overall", s.ioda_overall}};
    for (const auto& [k, v] : s.ioda) ioda[k] = v;
    json scores = {{"overall", s.score}};
    for (const auto& [k, v] : s.signals) scores[k] = v;
    const store::EntityRef where = store::EntityRef::FromCanonical(s.entity);
    json out = {{"scores", r.ioda ? ioda : scores},
                {"event_cnt", s.events},
                {"entity", ClientEntityRef(data, std::string(where.type()),
                                           std::string(where.code()), r.ioda)}};
    if (!r.ioda) out["iodaScores"] = std::move(ioda);
    return out;
  });
}

using PageRenderer = std::string (*)(const DataView&, const OutageRequest&);

// What the three routes share: filters, paging, and one page rendered once per data generation.
void ServeOutages(const RouteContext& ctx, const std::string& type, PageRenderer render,
                  const httplib::Request& req, httplib::Response& res) {
  auto r = ParseOutageRequest(ctx, req, res, type);
  if (!r) return;
  std::string data = ctx.cache.Get(r->Key(type), [&] { return render(ctx.data, *r); });
  SetBody(req, res, Envelope(type, req, data, ""), "application/json");
}

}  // namespace

void RegisterEventRoutes(httplib::Server& http, const RouteContext& ctx) {
  auto route = [&](const char* path, const std::string& type, PageRenderer render) {
    http.Get(path, [ctx, type, render](const httplib::Request& req, httplib::Response& res) {
      ServeOutages(ctx, type, render, req, res);
    });
  };
  // Under /api/v2 and /ioda/v2; IODA's dashboard asks with a trailing '/'.
  route(R"(/(?:api|ioda)/v2/outages/alerts/?)", "alerts", AlertsPage);
  route(R"(/(?:api|ioda)/v2/outages/events/?)", "events", EventsPage);
  route(R"(/(?:api|ioda)/v2/outages/summary/?)", "summary", SummaryPage);
}

}  // namespace blackout::server
