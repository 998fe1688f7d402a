// GET /feeds/events.json (JSON Feed 1.1) and /feeds/events.atom (RFC 4287): the newest events with
// absolute links to the dashboard and the report, for feed readers; and per entity,
// /feeds/TYPE/CODE.atom|.json[?include=related]: one entry per change of its events (start, phase
// changes, end, "now unblocked"; notify/notice.h), the same notices the webhooks send
// (docs/api.md).
#include <httplib.h>

#include <algorithm>
#include <limits>

#include "blackout/notify/notice.h"
#include "blackout/ooni/events.h"
#include "blackout/report/report.h"
#include "blackout/server/json_views.h"
#include "blackout/server/params.h"
#include "blackout/server/routes.h"
#include "blackout/store/entity_ref.h"

namespace blackout::server {
namespace {

using json = nlohmann::json;

constexpr int64_t kFeedItems = 100;

std::vector<Event> RecentEvents(const DataView& data) {
  OutageQuery q;
  q.from = 0;
  q.until = std::numeric_limits<int64_t>::max() / 2;
  auto events = data.Events(q);
  std::reverse(events.begin(), events.end());  // newest first
  if (events.size() > static_cast<size_t>(kFeedItems)) events.resize(kFeedItems);
  return events;
}

// Readable words for the signals (never the internal datasource names).
std::string SignalWords(const Event& e) {
  std::string out;
  for (const std::string& s : e.signals) {
    const std::string word = s == "bgp"       ? "BGP routes"
                             : s == "probe"   ? "active probing"
                             : s == "darknet" ? "telescope traffic"
                             : s == "traffic" ? "web clients"
                                              : s;
    if (out.find(word) == std::string::npos) out += (out.empty() ? "" : ", ") + word;
  }
  return out;
}

// "Kazakhstan (country/KZ)"; an ASN as "the network of JSC Kazakhtelecom (AS9198)".
std::string Where(const DataView& data, const Event& e) {
  const store::EntityRef where = store::EntityRef::FromCanonical(e.entity);
  const std::string name = EntityRef(data, where.type(), where.code())["name"];
  if (where.type() == "asn") {
    return "the network of " + (name == where.code() ? std::string() : name + " ") + "(AS" +
           where.code() + ")";
  }
  return name + " (" + e.entity + ")";
}

std::string EventTitle(const RouteContext& ctx, const Event& e) {
  std::string date = report::FormatLongTime(e.start);  // "5 January 2022 10:45 UTC"
  date = date.substr(0, date.rfind(' ', date.size() - 5));
  std::string title = std::string(ctx.provenance()->simulation ? "SIMULATION: " : "") +
                      "Internet disruption in " + Where(ctx.data, e) + " on " + date + ": " +
                      report::DepthPhrase(e.depth);
  const std::string signals = SignalWords(e);
  return signals.empty() ? title : title + " (" + signals + ")";
}

std::string EventId(const Event& e) {
  return "blackout:event:" + e.entity + "/" + EventDatasources(e) + "/" + std::to_string(e.start);
}

// The last time the event changed: its end, or the start of its latest phase.
UnixSeconds EventUpdated(const Event& e) {
  UnixSeconds t = std::max(e.start, e.end.value_or(0));
  for (const EventPhase& p : e.phases) t = std::max({t, p.start, p.end.value_or(0)});
  return t;
}

// The window the links show: a day either side of the event.
std::string EventWindow(const Event& e) {
  return "from=" + std::to_string(e.start - 86400) +
         "&until=" + std::to_string(e.end.value_or(e.start) + 86400);
}

// The dashboard's entity page and the report's Markdown, absolute.
std::string EntityPage(const std::string& base, const Event& e) {
  return base + "/?entity=" + e.entity + "&" + EventWindow(e);
}

std::string ReportMd(const std::string& base, const Event& e) {
  return base + "/api/v2/reports/" + e.entity + "/report.md?" + EventWindow(e);
}

std::string Summary(const RouteContext& ctx, const Event& e) {
  const store::EntityRef where = store::EntityRef::FromCanonical(e.entity);
  const std::string name = EntityRef(ctx.data, where.type(), where.code())["name"];
  std::string text = report::Headline(e, name, report::TimeZoneOf(e.entity, name),
                                      e.end.value_or(ctx.options.now()));
  // Application blocking (OONI) that preceded an outage of the entity reads first (docs/ooni.md).
  OutageQuery same;
  same.entity_type = std::string(where.type());
  same.entity_code = std::string(where.code());
  same.until = std::numeric_limits<int64_t>::max() / 2;
  const std::vector<Event> entity_events = ctx.data.Events(same);
  const auto before = ooni::AppBlockingBefore(e, entity_events);
  if (e.technique != store::Technique::kUnknown || !before.empty()) {
    text += " Technique: " + ooni::TechniqueSequence(e, before) + ".";
  }
  if (!e.phases.empty()) text += " Phases: " + PhaseList(e) + ".";
  return text + " " + ctx.provenance()->Attribution();
}

void ServeJsonFeed(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string base = ctx.base_url(req);
  json items = json::array();
  for (const Event& e : RecentEvents(ctx.data)) {
    items.push_back({{"id", EventId(e)},
                     {"url", EntityPage(base, e)},
                     {"external_url", ReportMd(base, e)},
                     {"title", EventTitle(ctx, e)},
                     {"content_text", Summary(ctx, e)},
                     {"date_published", FormatIso8601(e.start)},
                     {"date_modified", FormatIso8601(EventUpdated(e))},
                     // JSON Feed extension (underscore-prefixed keys are reserved for publishers).
                     {"_blackout",
                      {{"location", e.entity},
                       {"eventId", e.EffectiveId()},
                       {"technique", store::TechniqueName(e.technique)},
                       {"phases", PhasesJson(e)},
                       {"related", e.related},
                       {"report", base + "/api/v2/reports/" + e.entity + "?" + EventWindow(e)}}}});
  }
  const bool sim = ctx.provenance()->simulation;
  json feed = {{"version", "https://jsonfeed.org/version/1.1"},
               {"title", std::string(sim ? "SIMULATION: " : "") + "blackout: Internet disruptions"},
               {"home_page_url", base + "/"},
               {"feed_url", base + "/feeds/events.json"},
               {"description", ctx.provenance()->Attribution()},
               {"authors", json::array({{{"name", "blackout"}, {"url", base + "/"}}})},
               {"language", "en"},
               {"items", items}};
  SetBody(req, res, Dump(feed), "application/feed+json");
}

void ServeAtomFeed(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string base = ctx.base_url(req);
  auto events = RecentEvents(ctx.data);
  // The feed's <updated> is its newest entry's (RFC 4287 4.2.15).
  UnixSeconds newest = 0;
  for (const Event& e : events) newest = std::max(newest, EventUpdated(e));
  const bool sim = ctx.provenance()->simulation;
  std::string x =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n"
      "<title>" +
      std::string(sim ? "SIMULATION: " : "") + "blackout: Internet disruptions</title>\n" +
      "<subtitle>" + XmlEscape(ctx.provenance()->Attribution()) + "</subtitle>\n" +
      "<id>blackout:events</id>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"" +
      XmlEscape(base + "/feeds/events.atom") +
      "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"" + XmlEscape(base + "/") +
      "\"/>\n<author><name>blackout</name><uri>" + XmlEscape(base + "/") +
      "</uri></author>\n<generator>blackout</generator>\n<updated>" + FormatIso8601(newest) +
      "</updated>\n";
  for (const Event& e : events) {
    x += "<entry><id>" + XmlEscape(EventId(e)) + "</id><title>" + XmlEscape(EventTitle(ctx, e)) +
         "</title><link rel=\"alternate\" type=\"text/html\" href=\"" +
         XmlEscape(EntityPage(base, e)) +
         "\"/><link rel=\"related\" type=\"text/markdown\" href=\"" + XmlEscape(ReportMd(base, e)) +
         "\"/><published>" + FormatIso8601(e.start) + "</published><updated>" +
         FormatIso8601(EventUpdated(e)) + "</updated><summary>" + XmlEscape(Summary(ctx, e)) +
         "</summary></entry>\n";
  }
  x += "</feed>\n";
  SetBody(req, res, x, "application/atom+xml");
}

// --- Per-entity feeds: one entry per notice.

struct EntityFeed {
  std::string entity;  // "country/KZ"
  std::string name;    // "Kazakhstan"
  bool related = false;
  std::vector<Event> events;            // owned: the notices point into it
  std::vector<notify::Notice> notices;  // newest first
};

// "Internet disruption began in Kazakhstan (country/KZ): connectivity fell by 95% ..." etc.
std::string NoticeTitle(const RouteContext& ctx, const notify::Notice& n) {
  const Event& e = *n.event;
  std::string what = notify::NoticeWhat(n);
  what[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(what[0])));
  std::string title = std::string(ctx.provenance()->simulation ? "SIMULATION: " : "") + what +
                      " in " + Where(ctx.data, e) + " at " + report::FormatLongTime(n.time);
  if (n.kind == notify::NoticeKind::kStart && !notify::IsAppBlocking(e)) {
    title += ": " + report::DepthPhrase(e.depth);
  }
  const std::string signals = SignalWords(e);
  return signals.empty() ? title : title + " (" + signals + ")";
}

std::string NoticeSummary(const RouteContext& ctx, const notify::Notice& n) {
  const Event& e = *n.event;
  if (notify::IsAppBlocking(e)) {
    const std::string apps = ooni::AppBlockingSentence(e);
    return (apps.empty() ? std::string("Application blocking.") : apps + ".") + " " +
           ctx.provenance()->Attribution();
  }
  return Summary(ctx, e);
}

// 404 when the entity is unknown; 400 for a bad ?include=.
bool LoadEntityFeed(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res,
                    EntityFeed* feed) {
  const std::string type = req.matches[1], code = req.matches[2];
  const std::string include = req.has_param("include") ? req.get_param_value("include") : "";
  if (!include.empty() && include != "related") {
    SendError(req, res, 400, "feeds", "include must be \"related\"");
    return false;
  }
  const auto entity = ctx.data.FindEntity(type, code);
  if (!IsEntityCode(code) || !entity) {
    SendError(req, res, 404, "feeds", "unknown entity");
    return false;
  }
  feed->entity = type + "/" + code;
  feed->name = entity->name;
  feed->related = include == "related";
  OutageQuery q;
  q.until = std::numeric_limits<int64_t>::max() / 2;
  if (feed->related) {
    q.related_to = feed->entity;
  } else {
    q.entity_type = type;
    q.entity_code = code;
  }
  feed->events = ctx.data.Events(q);
  feed->notices = notify::NoticesOf(feed->events);
  std::reverse(feed->notices.begin(), feed->notices.end());  // newest first
  if (feed->notices.size() > static_cast<size_t>(kFeedItems)) feed->notices.resize(kFeedItems);
  return true;
}

std::string FeedPath(const EntityFeed& f, const char* ext) {
  return "/feeds/" + f.entity + "." + ext + (f.related ? "?include=related" : "");
}

std::string FeedTitle(const RouteContext& ctx, const EntityFeed& f) {
  return std::string(ctx.provenance()->simulation ? "SIMULATION: " : "") +
         "blackout: Internet disruptions in " + f.name + " (" + f.entity + ")" +
         (f.related ? " and its regions and networks" : "");
}

void ServeEntityJson(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  EntityFeed f;
  if (!LoadEntityFeed(ctx, req, res, &f)) return;
  const std::string base = ctx.base_url(req);
  json items = json::array();
  for (const notify::Notice& n : f.notices) {
    const Event& e = *n.event;
    items.push_back({{"id", "blackout:notice:" + n.id},
                     {"url", EntityPage(base, e)},
                     {"external_url", ReportMd(base, e)},
                     {"title", NoticeTitle(ctx, n)},
                     {"content_text", NoticeSummary(ctx, n)},
                     {"date_published", FormatIso8601(n.time)},
                     {"date_modified", FormatIso8601(n.time)},
                     {"_blackout",
                      {{"location", e.entity},
                       {"eventId", e.EffectiveId()},
                       {"notice", notify::NoticeKindName(n.kind)},
                       {"phase", n.phase},
                       {"report", base + "/api/v2/reports/" + e.entity + "?" + EventWindow(e)}}}});
  }
  json feed = {{"version", "https://jsonfeed.org/version/1.1"},
               {"title", FeedTitle(ctx, f)},
               {"home_page_url", base + "/?entity=" + f.entity},
               {"feed_url", base + FeedPath(f, "json")},
               {"description", ctx.provenance()->Attribution()},
               {"authors", json::array({{{"name", "blackout"}, {"url", base + "/"}}})},
               {"language", "en"},
               {"items", items}};
  SetBody(req, res, Dump(feed), "application/feed+json");
}

void ServeEntityAtom(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  EntityFeed f;
  if (!LoadEntityFeed(ctx, req, res, &f)) return;
  const std::string base = ctx.base_url(req);
  // RFC 4287 4.2.15: the newest entry's time; a feed without entries has nothing newer than 0.
  const UnixSeconds newest = f.notices.empty() ? 0 : f.notices.front().time;
  std::string x =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n<title>" +
      XmlEscape(FeedTitle(ctx, f)) + "</title>\n<subtitle>" +
      XmlEscape(ctx.provenance()->Attribution()) +
      "</subtitle>\n<id>blackout:feed:" + XmlEscape(f.entity) + (f.related ? ":related" : "") +
      "</id>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"" +
      XmlEscape(base + FeedPath(f, "atom")) +
      "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"" +
      XmlEscape(base + "/?entity=" + f.entity) + "\"/>\n<author><name>blackout</name><uri>" +
      XmlEscape(base + "/") + "</uri></author>\n<generator>blackout</generator>\n<updated>" +
      FormatIso8601(newest) + "</updated>\n";
  for (const notify::Notice& n : f.notices) {
    const Event& e = *n.event;
    x += "<entry><id>" + XmlEscape("blackout:notice:" + n.id) + "</id><title>" +
         XmlEscape(NoticeTitle(ctx, n)) +
         "</title><link rel=\"alternate\" type=\"text/html\" href=\"" +
         XmlEscape(EntityPage(base, e)) +
         "\"/><link rel=\"related\" type=\"text/markdown\" href=\"" + XmlEscape(ReportMd(base, e)) +
         "\"/><published>" + FormatIso8601(n.time) + "</published><updated>" +
         FormatIso8601(n.time) + "</updated><category term=\"" +
         std::string(notify::NoticeKindName(n.kind)) + "\"/><summary>" +
         XmlEscape(NoticeSummary(ctx, n)) + "</summary></entry>\n";
  }
  x += "</feed>\n";
  SetBody(req, res, x, "application/atom+xml");
}

}  // namespace

void RegisterFeedRoutes(httplib::Server& http, const RouteContext& ctx) {
  http.Get(R"(/feeds/(country|region|asn|geoasn)/([^/]+)\.atom)",
           [ctx](const httplib::Request& req, httplib::Response& res) {
             ServeEntityAtom(ctx, req, res);
           });
  http.Get(R"(/feeds/(country|region|asn|geoasn)/([^/]+)\.json)",
           [ctx](const httplib::Request& req, httplib::Response& res) {
             ServeEntityJson(ctx, req, res);
           });
  http.Get("/feeds/events.json", [ctx](const httplib::Request& req, httplib::Response& res) {
    ServeJsonFeed(ctx, req, res);
  });
  http.Get("/feeds/events.atom", [ctx](const httplib::Request& req, httplib::Response& res) {
    ServeAtomFeed(ctx, req, res);
  });
}

}  // namespace blackout::server
