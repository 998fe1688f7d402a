// GET /healthz, /metrics (Prometheus text), and the dashboard: files under ServerOptions::web_root
// read and gzipped once per file version, the app shell (index.html) for every other path that does
// not look like a file, and a plain page saying how to build the dashboard when it is missing.
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "blackout/server/routes.h"

namespace blackout::server {
namespace {

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

// Dashboard files as read and gzipped once, keyed by path; reloaded when size or mtime change.
class StaticFiles {
 public:
  struct File {
    std::filesystem::file_time_type mtime;
    uintmax_t size = 0;
    std::shared_ptr<const std::string> raw;  // null when unreadable
    std::shared_ptr<const std::string> gz;   // null when not worth it or not compressible
  };
  // Read and gzipped once per file version (see SetBody for why not httplib's compression).
  File Load(const std::filesystem::path& file) {
    File sf;
    std::error_code ec;
    auto mtime = std::filesystem::last_write_time(file, ec);
    auto size = ec ? 0 : std::filesystem::file_size(file, ec);
    std::lock_guard lock(mu_);
    auto it = files_.find(file.string());
    if (!ec && it != files_.end() && it->second.mtime == mtime && it->second.size == size) {
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
        if (!ec) files_[file.string()] = sf;
      }
    }
    return sf;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, File> files_;
};

void ServeDashboard(const RouteContext& ctx, StaticFiles& files, const httplib::Request& req,
                    httplib::Response& res) {
  const std::string& path = req.path;
  if (path.rfind("/api/", 0) == 0 || path == "/api" || path.rfind("/ioda/", 0) == 0) {
    return SendError(req, res, 404, "error", "no such endpoint");
  }
  bool bad = path.find("..") != std::string::npos || path.find('\\') != std::string::npos ||
             path.find('\0') != std::string::npos || path.size() > 512;
  const std::filesystem::path root = ctx.options.web_root;
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
    std::string notice = ctx.options.notice.empty() ? std::string("blackout is running.")
                                                    : XmlEscape(ctx.options.notice);
    page.replace(page.find("%NOTICE%"), 8, notice);
    res.set_header("Cache-Control", "no-cache");
    res.set_content(page, "text/html; charset=utf-8");
    return;
  }
  StaticFiles::File sf = files.Load(file);
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
}

}  // namespace

void RegisterStaticRoutes(httplib::Server& http, const RouteContext& ctx) {
  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\"}", "application/json");
  });
  http.Get("/metrics", [ctx](const httplib::Request& req, httplib::Response& res) {
    SetBody(req, res, ctx.metrics.Render(), "text/plain; version=0.0.4");
  });
  auto files = std::make_shared<StaticFiles>();
  http.Get(R"(/.*)", [ctx, files](const httplib::Request& req, httplib::Response& res) {
    ServeDashboard(ctx, *files, req, res);
  });
}

}  // namespace blackout::server
