// GET /api/v2/reports/TYPE/CODE (JSON), .../report.md and .../chart.png: the report library's
// Markdown and chart for an entity and range, rendered once per (data generation, entity, range,
// chart size) and shared by the three routes (docs/api.md, docs/report.md).
#include <httplib.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "blackout/report/report.h"
#include "blackout/server/json_views.h"
#include "blackout/server/params.h"
#include "blackout/server/routes.h"
#include "blackout/store/entity_ref.h"

namespace blackout::server {
namespace {

using json = nlohmann::json;

// Rendered reports (Markdown + PNG, ~100 KB each) kept per (generation, entity, range, size).
constexpr size_t kMaxReportCacheEntries = 64;
// Chart sizes the API renders: the report library's minimum, and a maximum well inside the
// library's (8000 x 8000) so one request cannot cost seconds of CPU and 256 MB of memory.
constexpr int64_t kMinChartWidth = 320, kMaxChartWidth = 3000;
constexpr int64_t kMinChartHeight = 240, kMaxChartHeight = 2000;

// What the report routes serve for one (entity, range, chart size), rendered once per generation.
struct RenderedReport {
  UnixSeconds from = 0, until = 0;
  std::string data_json;  // the "report" envelope's data
  std::string markdown;
  std::string png;
};

// Renderings by key, each valid for the data generation it was rendered from.
class ReportCache {
 public:
  std::shared_ptr<const RenderedReport> Find(const std::string& key, uint64_t gen) {
    std::lock_guard lock(mu_);
    auto it = reports_.find(key);
    return it != reports_.end() && it->second.first == gen ? it->second.second : nullptr;
  }
  void Put(const std::string& key, uint64_t gen, std::shared_ptr<const RenderedReport> r) {
    std::lock_guard lock(mu_);
    if (reports_.size() >= kMaxReportCacheEntries) reports_.clear();
    reports_[key] = {gen, std::move(r)};
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::pair<uint64_t, std::shared_ptr<const RenderedReport>>>
      reports_;  // key -> (gen, report)
};

// A validated report request.
struct ReportRequest {
  std::string type, code;
  TimeRange range;
  int width = 0, height = 0;
  Entity entity;
  std::string Key() const {
    return type + "/" + code + "|" + std::to_string(range.from) + "|" +
           std::to_string(range.until) + "|" + std::to_string(width) + "x" + std::to_string(height);
  }
};

// Validates a report request; on bad input writes the 400/404 answer and returns nullopt.
std::optional<ReportRequest> ParseReportRequest(const RouteContext& ctx,
                                                const httplib::Request& req,
                                                httplib::Response& res) {
  ReportRequest r;
  r.type = req.matches[1];
  r.code = req.matches[2];
  if (!IsEntityType(r.type)) {
    SendError(req, res, 400, "report", "entityType must be country, region or asn");
    return std::nullopt;
  }
  if (!IsEntityCode(r.code)) {
    SendError(req, res, 400, "report", "entityCode is malformed");
    return std::nullopt;
  }
  auto range = ParseRange(Param(req, "from"), Param(req, "until"), ctx.options.now());
  if (!range.ok()) {
    SendError(req, res, 400, "report", range.status().message());
    return std::nullopt;
  }
  auto width = ParseInt("width", Param(req, "width"), 1200, 1, kMaxChartWidth);
  auto height = ParseInt("height", Param(req, "height"), 600, 1, kMaxChartHeight);
  if (!width.ok() || !height.ok()) {
    SendError(req, res, 400, "report", (!width.ok() ? width.status() : height.status()).message());
    return std::nullopt;
  }
  auto entity = ctx.data.FindEntity(r.type, r.code);
  if (!entity) {
    SendError(req, res, 404, "report", "unknown entity " + r.type + "/" + r.code);
    return std::nullopt;
  }
  r.range = *range;
  r.width = static_cast<int>(std::max(*width, kMinChartWidth));
  r.height = static_cast<int>(std::max(*height, kMinChartHeight));
  r.entity = *entity;
  return r;
}

// A country's regions with a value in the range; the total comes from ISO 3166-2 (or the
// regions known here when more).
report::RegionCoverage CountryCoverage(const DataView& data, const ReportRequest& r) {
  report::RegionCoverage cov;
  const auto regions = data.SearchEntities("", "region", r.type + "/" + r.code, "", 100000);
  for (const Entity& region : regions) {
    for (const Series& s : data.GetSeries("region", region.code, "", r.range.from, r.range.until)) {
      if (std::any_of(s.values.begin(), s.values.end(),
                      [](double v) { return std::isfinite(v); })) {
        cov.measured.push_back("region/" + region.code);
        break;
      }
    }
  }
  return cov;
}

// Composes the report for `r`; on failure writes the 400 answer and returns null.
std::shared_ptr<const RenderedReport> Render(const RouteContext& ctx, const ReportRequest& r,
                                             const httplib::Request& req, httplib::Response& res) {
  const std::string& type = r.type;
  const std::string& code = r.code;
  OutageQuery q;
  q.entity_type = type;
  q.entity_code = code;
  q.from = r.range.from;
  q.until = r.range.until;
  const std::vector<Event> events = ctx.data.Events(q);
  std::vector<store::Event> store_events = events;
  std::vector<store::Series> store_series;
  // The detector's expected values the dashboard draws, so the report's chart shows the same.
  std::vector<store::ExpectedSeries> store_expected;
  for (const Series& s : ctx.data.GetSeries(type, code, "", r.range.from, r.range.until)) {
    store_series.push_back(ToStoreSeries(s));
    store_expected.push_back(s.has_expected() ? store::ExpectedSeries{s.expected, s.lower, s.level}
                                              : store::ExpectedSeries{});
  }
  report::ReportOptions opt;
  opt.width = r.width;
  opt.height = r.height;
  opt.provenance = *ctx.provenance();
  if (type == "country") opt.regions = CountryCoverage(ctx.data, r);
  // Others' records of this entity in the window (the curated annotations).
  opt.curated.emplace();
  for (const Annotation& a : ctx.annotations()) {
    if (a.source.empty() || a.entity_type != type || a.entity_code != code) continue;
    if (a.from >= r.range.until || a.until <= r.range.from) continue;
    curated::CuratedOutage o;
    o.source = a.source;
    o.id = a.id;
    o.entities = {type + "/" + code};
    o.from = a.from;
    if (!a.open_end) o.until = a.until;
    o.whole_days = a.whole_days;
    o.kind = a.kind;
    o.cause = a.cause;
    o.area = a.area;
    o.link = a.link;
    opt.curated->push_back(std::move(o));
  }
  opt.name = [&data = ctx.data](std::string_view ent) -> std::string {
    const store::EntityRef ref = store::EntityRef::FromCanonical(ent);
    if (ref.type().empty()) return "";
    auto found = data.FindEntity(ref.type(), ref.code());
    return found ? found->name : "";
  };
  auto rep =
      report::ComposeReport(type + "/" + code, r.range.from, r.range.until, std::move(store_events),
                            std::move(store_series), opt, std::move(store_expected));
  if (!rep.ok()) {
    // Only bad input reaches here in practice (the range and size were checked above).
    SendError(req, res, 400, "report", rep.status().message());
    return nullptr;
  }
  const std::string query =
      "?from=" + std::to_string(r.range.from) + "&until=" + std::to_string(r.range.until);
  const std::string base = "/api/v2/reports/" + type + "/" + code;
  json ev = json::array();
  for (const Event& e : events) ev.push_back(EventJson(ctx.data, e, r.range.until));
  json data = {{"entity", type + "/" + code},
               {"name", r.entity.name},
               {"from", r.range.from},
               {"until", r.range.until},
               {"markdown", rep->markdown},
               {"events", ev},
               {"chart", base + "/chart.png" + query},
               {"markdownUrl", base + "/report.md" + query}};
  auto rendered = std::make_shared<RenderedReport>();
  rendered->data_json = Dump(data);
  rendered->from = r.range.from;
  rendered->until = r.range.until;
  rendered->markdown = std::move(rep->markdown);
  rendered->png = std::move(rep->png);
  return rendered;
}

// Validates a report request and returns its rendering (from the cache when the data has not
// changed); on bad input writes the 400/404 answer and returns null.
std::shared_ptr<const RenderedReport> ReportFor(const RouteContext& ctx, ReportCache& cache,
                                                const httplib::Request& req,
                                                httplib::Response& res) {
  auto r = ParseReportRequest(ctx, req, res);
  if (!r) return nullptr;
  const std::string key = r->Key();
  const uint64_t gen = ctx.data.Generation();
  if (auto found = cache.Find(key, gen)) return found;
  auto rendered = Render(ctx, *r, req, res);
  if (rendered) cache.Put(key, gen, rendered);
  return rendered;
}

// The names report.md links (report::FileStem), with the range's UTC dates.
std::string ReportFilename(const httplib::Request& req, const RenderedReport& r,
                           const std::string& ext) {
  return "attachment; filename=\"" +
         report::FileStem(std::string(req.matches[1]) + "/" + std::string(req.matches[2]), r.from,
                          r.until) +
         ext + "\"";
}

}  // namespace

void RegisterReportRoutes(httplib::Server& http, const RouteContext& ctx) {
  auto cache = std::make_shared<ReportCache>();
  http.Get(R"(/api/v2/reports/([^/]+)/([^/]+))",
           [ctx, cache](const httplib::Request& req, httplib::Response& res) {
             auto r = ReportFor(ctx, *cache, req, res);
             if (!r) return;
             SetBody(req, res, Envelope("report", req, r->data_json, ""), "application/json");
           });
  http.Get(R"(/api/v2/reports/([^/]+)/([^/]+)/report\.md)",
           [ctx, cache](const httplib::Request& req, httplib::Response& res) {
             auto r = ReportFor(ctx, *cache, req, res);
             if (!r) return;
             res.set_header("Content-Disposition", ReportFilename(req, *r, ".md"));
             SetBody(req, res, r->markdown, "text/markdown; charset=utf-8");
           });
  http.Get(R"(/api/v2/reports/([^/]+)/([^/]+)/chart\.png)",
           [ctx, cache](const httplib::Request& req, httplib::Response& res) {
             auto r = ReportFor(ctx, *cache, req, res);
             if (!r) return;
             res.set_header("Content-Disposition", ReportFilename(req, *r, ".png"));
             res.set_content(r->png, "image/png");
           });
}

}  // namespace blackout::server
