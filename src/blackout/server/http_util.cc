#include "blackout/server/http_util.h"

#include <httplib.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>

#include "blackout/base/time.h"

namespace blackout::server {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxCacheEntries = 2048;
// And at most this many bytes of them: a 30-day signals answer with expected values is ~1.5 MB, so
// 2048 distinct windows alone could otherwise hold 3 GB.
constexpr size_t kMaxCacheBytes = 64 << 20;

thread_local std::shared_ptr<const std::string> t_provenance_json;

json RequestParameters(const httplib::Request& req) {
  json p = json::object();
  for (const auto& [k, v] : req.params) p[k] = v;
  return p;
}

}  // namespace

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

void SetRequestProvenance(std::shared_ptr<const std::string> provenance_json) {
  t_provenance_json = std::move(provenance_json);
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

bool IsCompressibleType(std::string_view type) {
  return type.rfind("text/", 0) == 0 || type.rfind("application/json", 0) == 0 ||
         type.rfind("application/javascript", 0) == 0 ||
         type.rfind("application/feed+json", 0) == 0 ||
         type.rfind("application/atom+xml", 0) == 0 || type.rfind("image/svg+xml", 0) == 0;
}

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

void SendExact(httplib::Response& res, std::shared_ptr<const std::string> bytes,
               const std::string& type) {
  const size_t n = bytes->size();
  res.set_content_provider(n, type, [bytes](size_t offset, size_t length, httplib::DataSink& sink) {
    if (offset > bytes->size()) return false;
    length = std::min(length, bytes->size() - offset);
    return sink.write(bytes->data() + offset, length);
  });
}

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

bool Authorized(const httplib::Request& req, httplib::Response& res, const std::string& token) {
  std::string header = req.get_header_value("Authorization");
  std::string want = "Bearer " + token;
  bool ok = !token.empty() && header.size() == want.size();
  unsigned diff = 0;
  for (size_t i = 0; ok && i < want.size(); ++i) diff |= static_cast<unsigned>(header[i] ^ want[i]);
  if (!ok || diff != 0) {
    res.set_header("WWW-Authenticate", "Bearer");
    SendError(req, res, 401, "error", "a valid bearer token is required");
    return false;
  }
  return true;
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

std::string RenderCache::Get(const std::string& key, const std::function<std::string()>& render) {
  uint64_t gen = data_.Generation();
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.first == gen) return it->second.second;
  }
  std::string rendered = render();
  if (rendered.size() > kMaxCacheBytes / 8) return rendered;  // too big to keep
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    bytes_ -= it->second.second.size();
    entries_.erase(it);
  }
  if (entries_.size() >= kMaxCacheEntries || bytes_ + rendered.size() > kMaxCacheBytes) {
    entries_.clear();
    bytes_ = 0;
  }
  bytes_ += rendered.size();
  entries_[key] = {gen, rendered};
  return rendered;
}

}  // namespace blackout::server
