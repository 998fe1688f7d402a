#include "blackout/server/api.h"

#include <httplib.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "blackout/base/log.h"
#include "blackout/detect/baseline.h"
#include "blackout/report/report.h"
#include "blackout/server/params.h"
#include "blackout/server/snapshot.h"
#include "blackout/store/types.h"

namespace blackout::server {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxCacheEntries = 2048;
// And at most this many bytes of them: a 30-day signals answer with expected values is ~1.5 MB, so
// 2048 distinct windows alone could otherwise hold 3 GB.
constexpr size_t kMaxCacheBytes = 64 << 20;
// Rendered reports (Markdown + PNG, ~100 KB each) kept per (generation, entity, range, size).
constexpr size_t kMaxReportCacheEntries = 64;
// Chart sizes the API renders: the report library's minimum, and a maximum well inside the
// library's (8000 x 8000) so one request cannot cost seconds of CPU and 256 MB of memory.
constexpr int64_t kMinChartWidth = 320, kMaxChartWidth = 3000;
constexpr int64_t kMinChartHeight = 240, kMaxChartHeight = 2000;
constexpr int64_t kFeedItems = 100;

thread_local Clock::time_point t_request_start;
// The envelope's "provenance" object for the request this thread handles (set before routing from
// the data's provenance, rendered once per data generation).
thread_local std::shared_ptr<const std::string> t_provenance_json;

int64_t WallNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::optional<std::string> Param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  return req.get_param_value(name);
}

json RequestParameters(const httplib::Request& req) {
  json p = json::object();
  for (const auto& [k, v] : req.params) p[k] = v;
  return p;
}

// The IODA envelope around an already-rendered `data` (or an error message).
std::string Envelope(const std::string& type, const httplib::Request& req,
                     const std::string& data_json, const std::string& error) {
  std::string out;
  out.reserve(data_json.size() + 256);
  out += "{\"type\":";
  out += Dump(type);
  out += ",\"metadata\":{\"requestTime\":\"";
  out += FormatIso8601(WallNow());
  out += "\",\"responseTime\":\"";
  out += FormatIso8601(WallNow());
  out += "\"";
  if (t_provenance_json) {
    out += ",\"provenance\":";
    out += *t_provenance_json;
  }
  out += "},\"requestParameters\":";
  out += Dump(RequestParameters(req));
  out += ",\"error\":";
  out += error.empty() ? std::string("null") : Dump(error);
  out += ",\"data\":";
  out += data_json.empty() ? std::string("null") : data_json;
  out += "}";
  return out;
}

void SendError(const httplib::Request& req, httplib::Response& res, int status,
               const std::string& type, const std::string& message) {
  res.status = status;
  res.set_content(Envelope(type, req, "", message), "application/json");
}

json EntityJson(const Entity& e) {
  json attrs = json::object();
  for (const auto& [k, v] : e.attrs) attrs[k] = v;
  return {{"code", e.code}, {"name", e.name}, {"type", e.type}, {"attrs", attrs}};
}

json EntityRef(const DataView& data, const std::string& type, const std::string& code) {
  auto e = data.FindEntity(type, code);
  if (e) return EntityJson(*e);
  return {{"code", code}, {"name", code}, {"type", type}, {"attrs", json::object()}};
}

json NumberOrNull(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

// "near-total-blackout, partial-recovery"
std::string PhaseList(const Event& e) {
  std::string out;
  for (const EventPhase& p : e.phases) out += (out.empty() ? "" : ", ") + p.phase;
  return out;
}

json PhasesJson(const Event& e) {
  json out = json::array();
  for (const EventPhase& p : e.phases) {
    out.push_back({{"phase", p.phase},
                   {"start", p.start},
                   {"end", p.end ? json(p.end) : json(nullptr)},
                   {"depth", NumberOrNull(p.depth)}});
  }
  return out;
}

// The mean of the finite values of v[i, i + n), NaN if none.
double MeanOf(const std::vector<double>& v, size_t i, size_t n) {
  double sum = 0;
  int count = 0;
  for (size_t j = i; j < std::min(v.size(), i + n); ++j) {
    if (std::isfinite(v[j])) {
      sum += v[j];
      ++count;
    }
  }
  return count ? sum / count : NAN;
}

// Merges `factor` bins into one: values, expected and lower by their mean, level by the worst.
Series Downsample(const Series& s, int64_t max_points) {
  if (static_cast<int64_t>(s.values.size()) <= max_points) return s;
  const size_t factor =
      static_cast<size_t>((static_cast<int64_t>(s.values.size()) + max_points - 1) / max_points);
  const bool expected = s.has_expected();
  Series out;
  out.entity_type = s.entity_type;
  out.entity_code = s.entity_code;
  out.datasource = s.datasource;
  out.from = s.from;
  out.step = s.step * static_cast<int64_t>(factor);
  for (size_t i = 0; i < s.values.size(); i += factor) {
    out.values.push_back(MeanOf(s.values, i, factor));
    if (!expected) continue;
    out.expected.push_back(MeanOf(s.expected, i, factor));
    out.lower.push_back(MeanOf(s.lower, i, factor));
    out.level.push_back(*std::max_element(
        s.level.begin() + static_cast<ptrdiff_t>(i),
        s.level.begin() + static_cast<ptrdiff_t>(std::min(s.level.size(), i + factor))));
  }
  return out;
}

// Appends `v` as a JSON number (shortest round-trip form) or null when not finite.
void AppendNumber(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc() ? end : buf);
}

void AppendArray(std::string& out, const std::vector<double>& v) {
  out.reserve(out.size() + v.size() * 8 + 2);
  out += '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    AppendNumber(out, v[i]);
  }
  out += ']';
}

// Series::level's numbers by name (detect::LevelName's).
std::string_view detect_level_name(uint8_t level) {
  return level < detect::kNumLevels ? detect::LevelName(static_cast<detect::Level>(level))
                                    : std::string_view("unknown");
}

// `expected=true|false|1|0` (missing: false).
std::optional<bool> ParseFlag(const std::optional<std::string>& text) {
  if (!text || text->empty() || *text == "false" || *text == "0") return false;
  if (*text == "true" || *text == "1") return true;
  return std::nullopt;
}

// The API's read model back in the store's types, for the report library.
store::Event ToStoreEvent(const Event& e) {
  store::Event x;
  x.id = e.EffectiveId();
  x.entity = e.entity_type + "/" + e.entity_code;
  x.start = e.start;
  if (e.end) x.end = e.end;
  x.depth = e.depth;
  x.score = e.score;
  x.signals = e.signals;
  if (x.signals.empty()) {
    std::string_view ds = e.datasource;
    while (!ds.empty()) {
      auto comma = ds.find(',');
      x.signals.push_back(SignalForDatasource(std::string(ds.substr(0, comma))));
      ds = comma == std::string_view::npos ? std::string_view() : ds.substr(comma + 1);
    }
  }
  for (const EventPhase& p : e.phases) {
    auto phase = store::ParsePhase(p.phase);
    if (!phase.ok()) continue;
    store::EventPhase q;
    q.phase = *phase;
    q.start = p.start;
    if (p.end) q.end = p.end;
    q.depth = p.depth;
    x.phases.push_back(q);
  }
  auto technique = store::ParseTechnique(e.technique.empty() ? e.method : e.technique);
  x.technique = technique.ok() ? *technique : store::Technique::kUnknown;
  x.related = e.related;
  return x;
}

store::Series ToStoreSeries(const Series& s) {
  store::Series x;
  x.key.entity = s.entity_type + "/" + s.entity_code;
  x.key.signal = SignalForDatasource(s.datasource);
  x.from = s.from;
  x.step = s.step;
  x.values = s.values;
  return x;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

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
      {"/api/v2/meta", "meta"},
      {"/api/", "api_other"},
      {"/feeds/", "feeds"},
      {"/healthz", "healthz"},
      {"/metrics", "metrics"},
  };
  for (const auto& [prefix, name] : kRoutes) {
    if (path.rfind(prefix, 0) == 0) return name;
  }
  return "static";
}

const char* ContentType(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// Content-hashed names ("app-3f9a1c2b.js", "app.3f9a1c2b.css") never change: cache forever.
bool IsContentHashed(const std::string& name) {
  // A hash segment: "-" or "." followed by >= 8 alphanumerics and then "." before the extension.
  auto dot = name.rfind('.');
  if (dot == std::string::npos) return false;
  auto sep = name.find_last_of("-.", dot - 1);
  if (sep == std::string::npos || dot - sep - 1 < 8) return false;
  for (size_t i = sep + 1; i < dot; ++i) {
    char c = name[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> ReadWholeFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// --- response compression
// ------------------------------------------------------------------------- cpp-httplib (Debian
// builds it with brotli and zlib) compresses every compressible body itself on each request,
// preferring brotli at quality 11: 0.1-0.8 s of CPU for a 40 KB script or a 30-day series under
// load. So the API compresses sizeable bodies itself with gzip (level 6 for API answers, which
// change; level 9 once per file for the dashboard's immutable assets) and hands them to httplib as
// a fixed-length content provider, which httplib sends as is.

bool IsCompressibleType(std::string_view type) {
  return type.rfind("text/", 0) == 0 || type.rfind("application/json", 0) == 0 ||
         type.rfind("application/javascript", 0) == 0 ||
         type.rfind("application/feed+json", 0) == 0 ||
         type.rfind("application/atom+xml", 0) == 0 || type.rfind("image/svg+xml", 0) == 0;
}

// True when Accept-Encoding lists gzip without q=0 (RFC 9110 12.5.3; "*" counts too).
bool AcceptsGzip(const httplib::Request& req) {
  std::string ae = req.get_header_value("Accept-Encoding");
  for (char& c : ae) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t pos = 0;
  while (pos <= ae.size()) {
    size_t comma = ae.find(',', pos);
    if (comma == std::string::npos) comma = ae.size();
    std::string_view item(ae.data() + pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    size_t semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (coding == "gzip" || coding == "x-gzip" || coding == "*") {
      if (semi == std::string_view::npos) return true;
      std::string_view params = item.substr(semi + 1);
      size_t q = params.find("q=");
      if (q == std::string_view::npos) return true;
      double v = std::atof(std::string(params.substr(q + 2)).c_str());
      return v > 0;
    }
    pos = comma + 1;
  }
  return false;
}

// gzip (RFC 1952) of `data`; nullopt if zlib fails (the caller then sends it uncompressed).
std::optional<std::string> Gzip(std::string_view data, int level) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::nullopt;
  }
  std::string out;
  out.resize(deflateBound(&z, static_cast<uLong>(data.size())) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  size_t produced = out.size() - z.avail_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return std::nullopt;
  out.resize(produced);
  return out;
}

// Sends `bytes` exactly as given, with httplib's own compression out of the way.
void SendExact(httplib::Response& res, std::shared_ptr<const std::string> bytes,
               const std::string& type) {
  const size_t n = bytes->size();
  res.set_content_provider(n, type, [bytes](size_t offset, size_t length, httplib::DataSink& sink) {
    if (offset > bytes->size()) return false;
    length = std::min(length, bytes->size() - offset);
    return sink.write(bytes->data() + offset, length);
  });
}

constexpr size_t kCompressMinBytes = 1024;

// The body of a dynamic answer: gzip at level 6 when it pays and the client takes it.
void SetBody(const httplib::Request& req, httplib::Response& res, std::string body,
             const std::string& type) {
  res.set_header("Vary", "Accept-Encoding");
  if (body.size() >= kCompressMinBytes && IsCompressibleType(type) && AcceptsGzip(req)) {
    if (auto gz = Gzip(body, 6)) {
      res.set_header("Content-Encoding", "gzip");
      SendExact(res, std::make_shared<const std::string>(std::move(*gz)), type);
      return;
    }
  }
  if (body.size() >= kCompressMinBytes) {
    SendExact(res, std::make_shared<const std::string>(std::move(body)), type);
  } else {
    res.set_content(std::move(body), type);
  }
}

const char* kNoDashboardPage = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>blackout</title></head>
<body style="font-family: sans-serif; max-width: 46em; margin: 2em auto">
<h1>blackout</h1>
<p>%NOTICE%</p>
<p>The dashboard has not been built, so this plain page stands in for it. Build it with
<code>scripts/setup.sh</code> (installs the npm packages) and then <code>npm run build</code> in
<code>web/</code>; it lands in <code>web/dist</code> and is served from here.</p>
<p>The API works without it:</p>
<ul>
<li><a href="/api/v2/outages/summary?from=2022-01-03&amp;until=2022-01-13">/api/v2/outages/summary</a></li>
<li><a href="/api/v2/outages/events?from=2022-01-03&amp;until=2022-01-13">/api/v2/outages/events</a></li>
<li><a href="/api/v2/signals/raw/country/KZ?from=2022-01-03&amp;until=2022-01-13">/api/v2/signals/raw/country/KZ</a>
(add <code>&amp;format=csv</code> for CSV)</li>
<li><a href="/api/v2/entities/query?search=kaz">/api/v2/entities/query</a>,
<a href="/api/v2/datasources">/api/v2/datasources</a>, <a href="/feeds/events.atom">events feed</a>,
<a href="/healthz">/healthz</a>, <a href="/metrics">/metrics</a></li>
</ul>
</body></html>
)";

}  // namespace

// What the report routes serve for one (entity, range, chart size), rendered once per generation.
struct RenderedReport {
  UnixSeconds from = 0, until = 0;
  std::string data_json;  // the "report" envelope's data
  std::string markdown;
  std::string png;
};

struct ApiServer::Impl {
  httplib::Server http;
  std::mutex cache_mu;
  std::unordered_map<std::string, std::pair<uint64_t, std::string>> cache;  // key -> (gen, data)
  size_t cache_bytes = 0;  // sum of the cached data's sizes
  std::mutex report_mu;
  std::unordered_map<std::string, std::pair<uint64_t, std::shared_ptr<const RenderedReport>>>
      reports;  // key -> (gen, report)
  std::atomic<bool> running{false};
  // Dashboard files as read and gzipped once, keyed by path; reloaded when size or mtime change.
  struct StaticFile {
    std::filesystem::file_time_type mtime;
    uintmax_t size = 0;
    std::shared_ptr<const std::string> raw;
    std::shared_ptr<const std::string> gz;  // null when not worth it or not compressible
  };
  std::mutex static_mu;
  std::unordered_map<std::string, StaticFile> static_files;
  // The data's provenance (with the server's notice when it marks a simulation), per generation.
  std::mutex provenance_mu;
  uint64_t provenance_gen = 0;
  std::shared_ptr<const report::Provenance> provenance;
  std::shared_ptr<const std::string> provenance_json;
};

ApiServer::ApiServer(const DataView& data, ServerOptions options, Actions actions)
    : data_(data),
      options_(std::move(options)),
      actions_(std::move(actions)),
      impl_(std::make_unique<Impl>()) {
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

  http.set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
    t_request_start = Clock::now();
    t_provenance_json = ProvenanceJson();
    return httplib::Server::HandlerResponse::Unhandled;
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

  // Renders `data` for a cacheable GET: `key` must capture every input of `render`.
  auto cached = [this](const std::string& key, const std::function<std::string()>& render) {
    uint64_t gen = data_.Generation();
    {
      std::lock_guard lock(impl_->cache_mu);
      auto it = impl_->cache.find(key);
      if (it != impl_->cache.end() && it->second.first == gen) return it->second.second;
    }
    std::string rendered = render();
    if (rendered.size() > kMaxCacheBytes / 8) return rendered;  // too big to keep
    std::lock_guard lock(impl_->cache_mu);
    auto it = impl_->cache.find(key);
    if (it != impl_->cache.end()) {
      impl_->cache_bytes -= it->second.second.size();
      impl_->cache.erase(it);
    }
    if (impl_->cache.size() >= kMaxCacheEntries ||
        impl_->cache_bytes + rendered.size() > kMaxCacheBytes) {
      impl_->cache.clear();
      impl_->cache_bytes = 0;
    }
    impl_->cache_bytes += rendered.size();
    impl_->cache[key] = {gen, rendered};
    return rendered;
  };

  // Common outage filters; writes a 400/404 and returns nullopt on bad input.
  auto outage_query = [this](const httplib::Request& req, httplib::Response& res,
                             const std::string& type) -> std::optional<OutageQuery> {
    auto range = ParseRange(Param(req, "from"), Param(req, "until"), options_.now());
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
      if (!data_.FindEntity(*q.entity_type, *c)) {
        SendError(req, res, 404, type, "unknown entity " + *q.entity_type + "/" + *c);
        return std::nullopt;
      }
      q.entity_code = *c;
    }
    if (auto r = Param(req, "relatedTo")) {
      auto slash = r->find('/');
      if (slash == std::string::npos || !IsEntityType(r->substr(0, slash)) ||
          !IsEntityCode(r->substr(slash + 1))) {
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
  };
  auto query_key = [](const std::string& route, const OutageQuery& q, int64_t limit, int64_t page,
                      const std::string& extra) {
    return route + "|" + std::to_string(q.from) + "|" + std::to_string(q.until) + "|" +
           q.entity_type.value_or("") + "|" + q.entity_code.value_or("") + "|" +
           q.related_to.value_or("") + "|" + q.datasource.value_or("") + "|" +
           std::to_string(limit) + "|" + std::to_string(page) + "|" + extra;
  };
  auto paging = [](const httplib::Request& req, httplib::Response& res, const std::string& type,
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
  };

  // --- signals --------------------------------------------------------------------------------
  http.Get(R"(/api/v2/signals/raw/([^/]+)/([^/]+))", [=, this](const httplib::Request& req,
                                                               httplib::Response& res) {
    const std::string type = req.matches[1];
    const std::string code = req.matches[2];
    if (!IsEntityType(type)) {
      return SendError(req, res, 400, "signals", "entityType must be country, region or asn");
    }
    if (!IsEntityCode(code)) return SendError(req, res, 400, "signals", "entityCode is malformed");
    auto range = ParseRange(Param(req, "from"), Param(req, "until"), options_.now());
    if (!range.ok()) return SendError(req, res, 400, "signals", range.status().message());
    auto max_points = ParseInt("maxPoints", Param(req, "maxPoints"), kMaxPoints, 1, kMaxPoints);
    if (!max_points.ok()) return SendError(req, res, 400, "signals", max_points.status().message());
    std::string datasource = Param(req, "datasource").value_or("");
    if (!datasource.empty()) {
      auto all = data_.Datasources();
      if (std::none_of(all.begin(), all.end(),
                       [&](const Datasource& d) { return d.name == datasource; })) {
        return SendError(req, res, 400, "signals", "unknown datasource");
      }
    }
    auto entity = data_.FindEntity(type, code);
    if (!entity) return SendError(req, res, 404, "signals", "unknown entity " + type + "/" + code);
    std::string format = Param(req, "format").value_or("json");
    if (format != "json" && format != "csv") {
      return SendError(req, res, 400, "signals", "format must be json or csv");
    }
    const std::optional<bool> with_expected = ParseFlag(Param(req, "expected"));
    if (!with_expected)
      return SendError(req, res, 400, "signals", "expected must be true or false");
    // The answer depends only on these and the data: cached per data generation.
    const std::string key = "signals\n" + type + "/" + code + "\n" + datasource + "\n" +
                            std::to_string(range->from) + "\n" + std::to_string(range->until) +
                            "\n" + std::to_string(*max_points) + "\n" + format +
                            (*with_expected ? "\ne" : "\n");
    if (format == "csv") {
      std::string csv = cached(key, [&] {
        auto series = data_.GetSeries(type, code, datasource, range->from, range->until);
        // A comment line first: where the numbers come from, SIMULATION when simulated.
        std::vector<std::string> signals;
        for (const Series& x : series) signals.push_back(SignalForDatasource(x.datasource));
        std::string out = "# " + CurrentProvenance()->ForSignals(signals).Attribution() + "\n";
        // Unix seconds and ISO 8601 UTC side by side: spreadsheets read the one, scripts the other.
        out += "timestamp,time,entityType,entityCode,datasource,value";
        out += *with_expected ? ",expected,lower,level\n" : "\n";
        auto number = [&out](double v) {
          if (!std::isfinite(v)) return;
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.6g", v);
          out += buf;
        };
        for (const Series& raw : series) {
          Series s = Downsample(raw, *max_points);
          for (size_t i = 0; i < s.values.size(); ++i) {
            const UnixSeconds t = s.from + s.step * static_cast<int64_t>(i);
            out += std::to_string(t) + "," + FormatIso8601(t) + "," + type + "," + code + "," +
                   s.datasource + ",";
            number(s.values[i]);
            if (*with_expected) {
              out += ',';
              if (s.has_expected()) {
                number(s.expected[i]);
                out += ',';
                number(s.lower[i]);
                out += ',';
                out += detect_level_name(s.level[i]);
              } else {
                out += ",,";
              }
            }
            out += "\n";
          }
        }
        return out;
      });
      res.set_header("Content-Disposition",
                     "attachment; filename=\"" +
                         std::string(CurrentProvenance()->simulation ? "SIMULATION-" : "") +
                         "blackout-" + type + "-" + code + "-" + report::CompactDate(range->from) +
                         "-" + report::CompactDate(range->until) + ".csv\"");
      SetBody(req, res, csv, "text/csv; charset=utf-8");
      return;
    }
    // Rendered by hand: a 30-day series has ~10^4 values per signal, and building a json tree
    // for them costs more than the rest of the request.
    std::string list = cached(key, [&] {
      auto series = data_.GetSeries(type, code, datasource, range->from, range->until);
      std::string fqid = entity->attrs.count("fqid") ? entity->attrs.at("fqid") : type + "." + code;
      std::string out = "[[";
      for (size_t k = 0; k < series.size(); ++k) {
        const Series& raw = series[k];
        Series s = Downsample(raw, *max_points);
        if (k) out += ",";
        out += "{\"entityType\":" + Dump(type) + ",\"entityCode\":" + Dump(code) +
               ",\"entityName\":" + Dump(entity->name) + ",\"entityFqid\":" + Dump(fqid) +
               ",\"datasource\":" + Dump(s.datasource) +
               ",\"subtype\":\"\",\"from\":" + std::to_string(s.from) + ",\"until\":" +
               std::to_string(s.from + s.step * static_cast<int64_t>(s.values.size())) +
               ",\"step\":" + std::to_string(s.step) +
               ",\"nativeStep\":" + std::to_string(raw.step) + ",\"values\":";
        AppendArray(out, s.values);
        if (*with_expected) {
          // null: the detector does not judge this signal (the client draws its own baseline).
          if (s.has_expected()) {
            out += ",\"expected\":";
            AppendArray(out, s.expected);
            out += ",\"lower\":";
            AppendArray(out, s.lower);
            out += ",\"levels\":[";
            for (size_t i = 0; i < s.level.size(); ++i) {
              if (i) out += ',';
              out += static_cast<char>('0' + std::min<uint8_t>(s.level[i], 9));
            }
            out += ']';
          } else {
            out += ",\"expected\":null,\"lower\":null,\"levels\":null";
          }
        }
        out += "}";
      }
      out += "]]";
      return out;
    });
    SetBody(req, res, Envelope("signals", req, list, ""), "application/json");
  });

  // --- alerts -----------------------------------------------------------------------------------
  http.Get("/api/v2/outages/alerts", [=, this](const httplib::Request& req,
                                               httplib::Response& res) {
    auto q = outage_query(req, res, "alerts");
    if (!q) return;
    int64_t limit, page;
    if (!paging(req, res, "alerts", &limit, &page)) return;
    std::string data = cached(query_key("alerts", *q, limit, page, ""), [&] {
      auto alerts = data_.Alerts(*q);
      json out = json::array();
      size_t first = static_cast<size_t>(page * limit);
      for (size_t i = first; i < alerts.size() && out.size() < static_cast<size_t>(limit); ++i) {
        const Alert& a = alerts[i];
        out.push_back({{"datasource", a.datasource},
                       {"entity", EntityRef(data_, a.entity_type, a.entity_code)},
                       {"time", a.time},
                       {"level", a.level},
                       {"condition", a.condition},
                       {"value", NumberOrNull(a.value)},
                       {"historyValue", NumberOrNull(a.history_value)},
                       {"method", "median"}});
      }
      return Dump(out);
    });
    SetBody(req, res, Envelope("alerts", req, data, ""), "application/json");
  });

  // --- events -----------------------------------------------------------------------------------
  auto event_json = [this](const Event& e, UnixSeconds until) {
    UnixSeconds end = e.end == 0 ? until : e.end;
    // The shared wording (report/wording.h): the same rounding and durations as the report.
    const std::string name = EntityRef(data_, e.entity_type, e.entity_code)["name"];
    const store::Event se = ToStoreEvent(e);
    const std::optional<std::string> zone = report::TimeZoneOf(se.entity, name);
    return json{{"location", e.entity_type + "/" + e.entity_code},
                {"location_name", EntityRef(data_, e.entity_type, e.entity_code)["name"]},
                {"entity", EntityRef(data_, e.entity_type, e.entity_code)},
                {"start", e.start},
                {"duration", end - e.start},
                {"uncertainty", nullptr},
                {"status", e.end == 0 ? 1 : 0},
                {"fraction", NumberOrNull(e.depth)},
                {"score", NumberOrNull(e.score)},
                {"datasource", e.datasource},
                {"method", e.method},
                {"overlaps_with", json::array()},
                {"id", e.EffectiveId()},
                {"phases", PhasesJson(e)},
                {"technique", e.technique.empty() ? json(nullptr) : json(e.technique)},
                {"related", e.related},
                {"signals", e.signals},
                {"headline", report::Headline(se, name, zone, until)},
                {"depthText", report::DepthPhrase(e.depth)},
                {"durationText", report::FormatDuration(end - e.start)},
                {"timeZone", zone ? json(*zone) : json(nullptr)}};
  };
  http.Get("/api/v2/outages/events", [=, this](const httplib::Request& req,
                                               httplib::Response& res) {
    auto q = outage_query(req, res, "events");
    if (!q) return;
    int64_t limit, page;
    if (!paging(req, res, "events", &limit, &page)) return;
    std::string data = cached(query_key("events", *q, limit, page, ""), [&] {
      auto events = data_.Events(*q);
      json out = json::array();
      size_t first = static_cast<size_t>(page * limit);
      for (size_t i = first; i < events.size() && out.size() < static_cast<size_t>(limit); ++i) {
        out.push_back(event_json(events[i], q->until));
      }
      return Dump(out);
    });
    SetBody(req, res, Envelope("events", req, data, ""), "application/json");
  });

  // --- summary ----------------------------------------------------------------------------------
  http.Get("/api/v2/outages/summary", [=, this](const httplib::Request& req,
                                                httplib::Response& res) {
    auto q = outage_query(req, res, "summary");
    if (!q) return;
    int64_t limit, page;
    if (!paging(req, res, "summary", &limit, &page)) return;
    std::string data = cached(query_key("summary", *q, limit, page, ""), [&] {
      struct Row {
        std::string type, code;
        std::map<std::string, double> scores;
        double overall = 0;
        int count = 0;
      };
      std::map<std::string, Row> rows;
      for (const Event& e : data_.Events(*q)) {
        Row& r = rows[e.entity_type + "/" + e.entity_code];
        r.type = e.entity_type;
        r.code = e.entity_code;
        r.scores[e.datasource] += e.score;
        r.overall += e.score;
        ++r.count;
      }
      std::vector<Row*> sorted;
      for (auto& [k, r] : rows) sorted.push_back(&r);
      std::stable_sort(sorted.begin(), sorted.end(),
                       [](const Row* a, const Row* b) { return a->overall > b->overall; });
      json out = json::array();
      size_t first = static_cast<size_t>(page * limit);
      for (size_t i = first; i < sorted.size() && out.size() < static_cast<size_t>(limit); ++i) {
        json scores = {{"overall", sorted[i]->overall}};
        for (const auto& [ds, s] : sorted[i]->scores) scores[ds] = s;
        out.push_back({{"scores", scores},
                       {"event_cnt", sorted[i]->count},
                       {"entity", EntityRef(data_, sorted[i]->type, sorted[i]->code)}});
      }
      return Dump(out);
    });
    SetBody(req, res, Envelope("summary", req, data, ""), "application/json");
  });

  // --- reports ----------------------------------------------------------------------------------
  // Validates a report request and returns its rendering (from the cache when the data has not
  // changed); on bad input writes the 400/404 answer and returns null.
  auto report_for = [=, this](const httplib::Request& req,
                              httplib::Response& res) -> std::shared_ptr<const RenderedReport> {
    const std::string type = req.matches[1];
    const std::string code = req.matches[2];
    if (!IsEntityType(type)) {
      SendError(req, res, 400, "report", "entityType must be country, region or asn");
      return nullptr;
    }
    if (!IsEntityCode(code)) {
      SendError(req, res, 400, "report", "entityCode is malformed");
      return nullptr;
    }
    auto range = ParseRange(Param(req, "from"), Param(req, "until"), options_.now());
    if (!range.ok()) {
      SendError(req, res, 400, "report", range.status().message());
      return nullptr;
    }
    auto width = ParseInt("width", Param(req, "width"), 1200, 1, kMaxChartWidth);
    auto height = ParseInt("height", Param(req, "height"), 600, 1, kMaxChartHeight);
    if (!width.ok() || !height.ok()) {
      SendError(req, res, 400, "report",
                (!width.ok() ? width.status() : height.status()).message());
      return nullptr;
    }
    auto entity = data_.FindEntity(type, code);
    if (!entity) {
      SendError(req, res, 404, "report", "unknown entity " + type + "/" + code);
      return nullptr;
    }
    const int w = static_cast<int>(std::max(*width, kMinChartWidth));
    const int h = static_cast<int>(std::max(*height, kMinChartHeight));
    const std::string key = type + "/" + code + "|" + std::to_string(range->from) + "|" +
                            std::to_string(range->until) + "|" + std::to_string(w) + "x" +
                            std::to_string(h);
    const uint64_t gen = data_.Generation();
    {
      std::lock_guard lock(impl_->report_mu);
      auto it = impl_->reports.find(key);
      if (it != impl_->reports.end() && it->second.first == gen) return it->second.second;
    }
    OutageQuery q;
    q.entity_type = type;
    q.entity_code = code;
    q.from = range->from;
    q.until = range->until;
    const std::vector<Event> events = data_.Events(q);
    std::vector<store::Event> store_events;
    for (const Event& e : events) store_events.push_back(ToStoreEvent(e));
    std::vector<store::Series> store_series;
    // The detector's expected values the dashboard draws, so the report's chart shows the same.
    std::vector<detect::ExpectedSeries> store_expected;
    for (const Series& s : data_.GetSeries(type, code, "", range->from, range->until)) {
      store_series.push_back(ToStoreSeries(s));
      store_expected.push_back(s.has_expected()
                                   ? detect::ExpectedSeries{s.expected, s.lower, s.level}
                                   : detect::ExpectedSeries{});
    }
    report::ReportOptions opt;
    opt.width = w;
    opt.height = h;
    opt.provenance = *CurrentProvenance();
    if (type == "country") {
      // Its regions with a value in the range; the total comes from ISO 3166-2 (or the regions
      // known here when more).
      report::RegionCoverage cov;
      const auto regions = data_.SearchEntities("", "region", type + "/" + code, "", 100000);
      for (const Entity& region : regions) {
        for (const Series& s :
             data_.GetSeries("region", region.code, "", range->from, range->until)) {
          if (std::any_of(s.values.begin(), s.values.end(),
                          [](double v) { return std::isfinite(v); })) {
            cov.measured.push_back("region/" + region.code);
            break;
          }
        }
      }
      opt.regions = std::move(cov);
    }
    opt.name = [this](std::string_view ent) -> std::string {
      auto slash = ent.find('/');
      if (slash == std::string_view::npos) return "";
      auto found = data_.FindEntity(ent.substr(0, slash), ent.substr(slash + 1));
      return found ? found->name : "";
    };
    auto rep =
        report::ComposeReport(type + "/" + code, range->from, range->until, std::move(store_events),
                              std::move(store_series), opt, std::move(store_expected));
    if (!rep.ok()) {
      // Only bad input reaches here in practice (the range and size were checked above).
      SendError(req, res, 400, "report", rep.status().message());
      return nullptr;
    }
    const std::string query =
        "?from=" + std::to_string(range->from) + "&until=" + std::to_string(range->until);
    const std::string base = "/api/v2/reports/" + type + "/" + code;
    json ev = json::array();
    for (const Event& e : events) ev.push_back(event_json(e, range->until));
    json data = {{"entity", type + "/" + code},
                 {"name", entity->name},
                 {"from", range->from},
                 {"until", range->until},
                 {"markdown", rep->markdown},
                 {"events", ev},
                 {"chart", base + "/chart.png" + query},
                 {"markdownUrl", base + "/report.md" + query}};
    auto rendered = std::make_shared<RenderedReport>();
    rendered->data_json = Dump(data);
    rendered->from = range->from;
    rendered->until = range->until;
    rendered->markdown = std::move(rep->markdown);
    rendered->png = std::move(rep->png);
    std::lock_guard lock(impl_->report_mu);
    if (impl_->reports.size() >= kMaxReportCacheEntries) impl_->reports.clear();
    impl_->reports[key] = {gen, rendered};
    return rendered;
  };
  // The names report.md links (report::FileStem), with the range's UTC dates.
  auto report_filename = [](const httplib::Request& req, const RenderedReport& r,
                            const std::string& ext) {
    return "attachment; filename=\"" +
           report::FileStem(std::string(req.matches[1]) + "/" + std::string(req.matches[2]), r.from,
                            r.until) +
           ext + "\"";
  };
  http.Get(R"(/api/v2/reports/([^/]+)/([^/]+))",
           [=](const httplib::Request& req, httplib::Response& res) {
             auto r = report_for(req, res);
             if (!r) return;
             SetBody(req, res, Envelope("report", req, r->data_json, ""), "application/json");
           });
  http.Get(R"(/api/v2/reports/([^/]+)/([^/]+)/report\.md)",
           [=](const httplib::Request& req, httplib::Response& res) {
             auto r = report_for(req, res);
             if (!r) return;
             res.set_header("Content-Disposition", report_filename(req, *r, ".md"));
             SetBody(req, res, r->markdown, "text/markdown; charset=utf-8");
           });
  http.Get(R"(/api/v2/reports/([^/]+)/([^/]+)/chart\.png)",
           [=](const httplib::Request& req, httplib::Response& res) {
             auto r = report_for(req, res);
             if (!r) return;
             res.set_header("Content-Disposition", report_filename(req, *r, ".png"));
             res.set_content(r->png, "image/png");
           });

  // --- entities, datasources, meta --------------------------------------------------------------
  auto entities = [=, this](const httplib::Request& req, httplib::Response& res) {
    std::string search = Param(req, "search").value_or("");
    std::string type = Param(req, "entityType").value_or("");
    std::string related = Param(req, "relatedTo").value_or("");
    if (search.size() > 100) return SendError(req, res, 400, "entities", "search is too long");
    if (!type.empty() && !IsEntityType(type)) {
      return SendError(req, res, 400, "entities", "entityType must be country, region or asn");
    }
    if (!related.empty()) {
      auto slash = related.find('/');
      if (slash == std::string::npos || !IsEntityType(related.substr(0, slash)) ||
          !IsEntityCode(related.substr(slash + 1))) {
        return SendError(req, res, 400, "entities", "relatedTo must be TYPE/CODE");
      }
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
         data_.SearchEntities(search, type, related, code, static_cast<size_t>(*limit))) {
      json j = EntityJson(e);
      j["subnames"] = json::array();
      j["related"] = e.related;
      out.push_back(std::move(j));
    }
    SetBody(req, res, Envelope("entity", req, Dump(out), ""), "application/json");
  };
  http.Get("/api/v2/entities/query", entities);
  http.Get(R"(/api/v2/entities/query/([^/]+))",
           [=](const httplib::Request& req, httplib::Response& res) {
             httplib::Request copy = req;
             copy.params.emplace("entityType", req.matches[1]);
             entities(copy, res);
           });
  http.Get("/api/v2/datasources", [this](const httplib::Request& req, httplib::Response& res) {
    json out = json::array();
    for (const Datasource& d : data_.Datasources()) {
      out.push_back({{"datasource", d.name},
                     {"name", d.description},
                     {"units", d.units},
                     {"nativeStep", d.native_step}});
    }
    res.set_content(Envelope("datasources", req, Dump(out), ""), "application/json");
  });
  http.Get("/api/v2/meta", [this](const httplib::Request& req, httplib::Response& res) {
    auto prov = CurrentProvenance();
    json out = {{"notice", options_.notice.empty() ? prov->notice : options_.notice},
                {"simulation", prov->simulation},
                {"sources", prov->Attribution()}};
    res.set_content(Envelope("meta", req, Dump(out), ""), "application/json");
  });

  // --- feeds ------------------------------------------------------------------------------------
  auto recent_events = [this] {
    OutageQuery q;
    q.from = 0;
    q.until = std::numeric_limits<int64_t>::max() / 2;
    auto events = data_.Events(q);
    std::reverse(events.begin(), events.end());  // newest first
    if (events.size() > static_cast<size_t>(kFeedItems)) events.resize(kFeedItems);
    return events;
  };
  // Readable words for the signals (never the internal datasource names).
  auto signal_words = [](const Event& e) {
    std::vector<std::string> signals = e.signals;
    if (signals.empty()) signals = ToStoreEvent(e).signals;
    std::string out;
    for (const std::string& s : signals) {
      const std::string word = s == "bgp"       ? "BGP routes"
                               : s == "probe"   ? "active probing"
                               : s == "darknet" ? "telescope traffic"
                               : s == "traffic" ? "web clients"
                                                : s;
      if (out.find(word) == std::string::npos) out += (out.empty() ? "" : ", ") + word;
    }
    return out;
  };
  // "Kazakhstan (country/KZ)"; an ASN as "the network of JSC Kazakhtelecom (AS9198)".
  auto where = [this](const Event& e) {
    const std::string name = EntityRef(data_, e.entity_type, e.entity_code)["name"];
    if (e.entity_type == "asn") {
      return "the network of " + (name == e.entity_code ? std::string() : name + " ") + "(AS" +
             e.entity_code + ")";
    }
    return name + " (" + e.entity_type + "/" + e.entity_code + ")";
  };
  auto event_title = [=, this](const Event& e) {
    std::string date = report::FormatLongTime(e.start);  // "5 January 2022 10:45 UTC"
    date = date.substr(0, date.rfind(' ', date.size() - 5));
    std::string title = std::string(CurrentProvenance()->simulation ? "SIMULATION: " : "") +
                        "Internet disruption in " + where(e) + " on " + date + ": " +
                        report::DepthPhrase(e.depth);
    const std::string signals = signal_words(e);
    return signals.empty() ? title : title + " (" + signals + ")";
  };
  auto event_id = [](const Event& e) {
    return "blackout:event:" + e.entity_type + "/" + e.entity_code + "/" + e.datasource + "/" +
           std::to_string(e.start);
  };
  // The last time the event changed: its end, or the start of its latest phase.
  auto event_updated = [](const Event& e) {
    UnixSeconds t = std::max(e.start, e.end);
    for (const EventPhase& p : e.phases) t = std::max({t, p.start, p.end});
    return t;
  };
  // The window the links show: a day either side of the event.
  auto event_window = [](const Event& e) {
    return "from=" + std::to_string(e.start - 86400) +
           "&until=" + std::to_string((e.end ? e.end : e.start) + 86400);
  };
  // The dashboard's entity page and the report's Markdown, absolute.
  auto entity_page = [=](const std::string& base, const Event& e) {
    return base + "/?entity=" + e.entity_type + "/" + e.entity_code + "&" + event_window(e);
  };
  auto report_md = [=](const std::string& base, const Event& e) {
    return base + "/api/v2/reports/" + e.entity_type + "/" + e.entity_code + "/report.md?" +
           event_window(e);
  };
  auto summary = [=, this](const Event& e) {
    const store::Event se = ToStoreEvent(e);
    const std::string name = EntityRef(data_, e.entity_type, e.entity_code)["name"];
    std::string text = report::Headline(se, name, report::TimeZoneOf(se.entity, name),
                                        e.end ? e.end : options_.now());
    if (!e.technique.empty() && e.technique != "unknown")
      text += " Technique: " + e.technique + ".";
    if (!e.phases.empty()) text += " Phases: " + PhaseList(e) + ".";
    return text + " " + CurrentProvenance()->Attribution();
  };
  http.Get("/feeds/events.json", [=, this](const httplib::Request& req, httplib::Response& res) {
    const std::string base = BaseUrl(req);
    json items = json::array();
    for (const Event& e : recent_events()) {
      items.push_back(
          {{"id", event_id(e)},
           {"url", entity_page(base, e)},
           {"external_url", report_md(base, e)},
           {"title", event_title(e)},
           {"content_text", summary(e)},
           {"date_published", FormatIso8601(e.start)},
           {"date_modified", FormatIso8601(event_updated(e))},
           // JSON Feed extension (underscore-prefixed keys are reserved for publishers).
           {"_blackout",
            {{"location", e.entity_type + "/" + e.entity_code},
             {"eventId", e.EffectiveId()},
             {"technique", e.technique.empty() ? json(nullptr) : json(e.technique)},
             {"phases", PhasesJson(e)},
             {"related", e.related},
             {"report", base + "/api/v2/reports/" + e.entity_type + "/" + e.entity_code + "?" +
                            event_window(e)}}}});
    }
    const bool sim = CurrentProvenance()->simulation;
    json feed = {
        {"version", "https://jsonfeed.org/version/1.1"},
        {"title", std::string(sim ? "SIMULATION: " : "") + "blackout: Internet disruptions"},
        {"home_page_url", base + "/"},
        {"feed_url", base + "/feeds/events.json"},
        {"description", CurrentProvenance()->Attribution()},
        {"authors", json::array({{{"name", "blackout"}, {"url", base + "/"}}})},
        {"language", "en"},
        {"items", items}};
    SetBody(req, res, Dump(feed), "application/feed+json");
  });
  http.Get("/feeds/events.atom", [=, this](const httplib::Request& req, httplib::Response& res) {
    const std::string base = BaseUrl(req);
    auto events = recent_events();
    // The feed's <updated> is its newest entry's (RFC 4287 4.2.15).
    UnixSeconds newest = 0;
    for (const Event& e : events) newest = std::max(newest, event_updated(e));
    const bool sim = CurrentProvenance()->simulation;
    std::string x =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n"
        "<title>" +
        std::string(sim ? "SIMULATION: " : "") + "blackout: Internet disruptions</title>\n" +
        "<subtitle>" + XmlEscape(CurrentProvenance()->Attribution()) + "</subtitle>\n" +
        "<id>blackout:events</id>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"" +
        XmlEscape(base + "/feeds/events.atom") +
        "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"" + XmlEscape(base + "/") +
        "\"/>\n<author><name>blackout</name><uri>" + XmlEscape(base + "/") +
        "</uri></author>\n<generator>blackout</generator>\n<updated>" + FormatIso8601(newest) +
        "</updated>\n";
    for (const Event& e : events) {
      x += "<entry><id>" + XmlEscape(event_id(e)) + "</id><title>" + XmlEscape(event_title(e)) +
           "</title><link rel=\"alternate\" type=\"text/html\" href=\"" +
           XmlEscape(entity_page(base, e)) +
           "\"/><link rel=\"related\" type=\"text/markdown\" href=\"" +
           XmlEscape(report_md(base, e)) + "\"/><published>" + FormatIso8601(e.start) +
           "</published><updated>" + FormatIso8601(event_updated(e)) + "</updated><summary>" +
           XmlEscape(summary(e)) + "</summary></entry>\n";
    }
    x += "</feed>\n";
    SetBody(req, res, x, "application/atom+xml");
  });

  // --- state-changing (bearer token) -----------------------------------------------------------
  auto authorized = [this](const httplib::Request& req, httplib::Response& res) {
    std::string header = req.get_header_value("Authorization");
    std::string want = "Bearer " + options_.token;
    bool ok = !options_.token.empty() && header.size() == want.size();
    unsigned diff = 0;
    for (size_t i = 0; ok && i < want.size(); ++i)
      diff |= static_cast<unsigned>(header[i] ^ want[i]);
    if (!ok || diff != 0) {
      res.set_header("WWW-Authenticate", "Bearer");
      SendError(req, res, 401, "error", "a valid bearer token is required");
      return false;
    }
    return true;
  };
  http.Post(
      "/api/v2/admin/reingest", [=, this](const httplib::Request& req, httplib::Response& res) {
        if (!authorized(req, res)) return;
        if (!actions_.reingest) return SendError(req, res, 501, "admin", "re-ingest not available");
        Status st = actions_.reingest();
        if (!st.ok()) return SendError(req, res, 500, "admin", st.ToString());
        res.set_content(Envelope("admin", req, "{\"reingest\":\"done\"}", ""), "application/json");
      });
  http.Post("/api/v2/annotations", [=, this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
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
    if (!data_.FindEntity(a.entity_type, a.entity_code)) {
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
                            options_.now());
    if (!range.ok()) return SendError(req, res, 400, "annotations", range.status().message());
    a.from = range->from;
    a.until = range->until;
    {
      std::lock_guard lock(annotations_mu_);
      annotations_.push_back(a);
    }
    res.status = 201;
    res.set_content(Envelope("annotations", req, "{\"created\":true}", ""), "application/json");
  });
  http.Get("/api/v2/annotations", [this](const httplib::Request& req, httplib::Response& res) {
    json out = json::array();
    for (const Annotation& a : Annotations()) {
      out.push_back({{"entityType", a.entity_type},
                     {"entityCode", a.entity_code},
                     {"from", a.from},
                     {"until", a.until},
                     {"text", a.text}});
    }
    SetBody(req, res, Envelope("annotations", req, Dump(out), ""), "application/json");
  });

  // --- operations -------------------------------------------------------------------------------
  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\"}", "application/json");
  });
  http.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    SetBody(req, res, metrics_.Render(), "text/plain; version=0.0.4");
  });

  // --- dashboard --------------------------------------------------------------------------------
  http.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string& path = req.path;
    if (path.rfind("/api/", 0) == 0 || path == "/api") {
      return SendError(req, res, 404, "error", "no such endpoint");
    }
    bool bad = path.find("..") != std::string::npos || path.find('\\') != std::string::npos ||
               path.find('\0') != std::string::npos || path.size() > 512;
    const std::filesystem::path root = options_.web_root;
    std::error_code ec;
    std::filesystem::path file;
    if (!bad && !root.empty() && path.size() > 1) {
      file = root / path.substr(1);
      if (!std::filesystem::is_regular_file(file, ec)) file.clear();
    }
    bool is_asset = !file.empty();
    if (file.empty()) {
      // Paths that look like files but do not exist are 404; everything else is the app shell.
      bool looks_like_file = std::filesystem::path(path).has_extension();
      if (bad || looks_like_file) {
        res.status = 404;
        res.set_content("not found\n", "text/plain");
        return;
      }
      file = root.empty() ? std::filesystem::path() : root / "index.html";
    }
    if (file.empty() || !std::filesystem::is_regular_file(file, ec)) {
      std::string page = kNoDashboardPage;
      std::string notice = options_.notice.empty() ? std::string("blackout is running.")
                                                   : XmlEscape(options_.notice);
      page.replace(page.find("%NOTICE%"), 8, notice);
      res.set_header("Cache-Control", "no-cache");
      res.set_content(page, "text/html; charset=utf-8");
      return;
    }
    // Read and gzipped once per file version (see SetBody for why not httplib's compression).
    Impl::StaticFile sf;
    {
      auto mtime = std::filesystem::last_write_time(file, ec);
      auto size = ec ? 0 : std::filesystem::file_size(file, ec);
      std::lock_guard lock(impl_->static_mu);
      auto it = impl_->static_files.find(file.string());
      if (!ec && it != impl_->static_files.end() && it->second.mtime == mtime &&
          it->second.size == size) {
        sf = it->second;
      } else {
        auto body = ReadWholeFile(file);
        if (body) {
          sf.mtime = mtime;
          sf.size = body->size();
          if (body->size() >= kCompressMinBytes && IsCompressibleType(ContentType(file))) {
            if (auto gz = Gzip(*body, 9)) {
              sf.gz = std::make_shared<const std::string>(std::move(*gz));
            }
          }
          sf.raw = std::make_shared<const std::string>(std::move(*body));
          if (!ec) impl_->static_files[file.string()] = sf;
        }
      }
    }
    if (!sf.raw) {
      res.status = 404;
      res.set_content("not found\n", "text/plain");
      return;
    }
    res.set_header("Vary", "Accept-Encoding");
    res.set_header("Cache-Control", is_asset && IsContentHashed(file.filename().string())
                                        ? "public, max-age=31536000, immutable"
                                        : "no-cache");
    if (sf.gz && AcceptsGzip(req)) {
      res.set_header("Content-Encoding", "gzip");
      SendExact(res, sf.gz, ContentType(file));
    } else {
      SendExact(res, sf.raw, ContentType(file));
    }
  });
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
  return annotations_;
}

}  // namespace blackout::server
