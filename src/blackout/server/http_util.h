// Private to server/: the HTTP plumbing every route file shares. The IODA JSON envelope and error
// answers, query parameters, response bodies (gzip done here, not by httplib), the bearer-token
// check, and the per-data-generation cache of rendered answers.
// Thread-safety: free functions are safe to call from any handler thread; RenderCache is
// internally synchronized.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "blackout/server/data.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace blackout::server {

// Wall-clock Unix seconds (the default for ServerOptions::now).
int64_t WallNow();

// Compact JSON; invalid UTF-8 is replaced rather than thrown on.
std::string Dump(const nlohmann::json& j);

// The query parameter `name`, or nullopt when absent.
std::optional<std::string> Param(const httplib::Request& req, const char* name);

// The envelope's "provenance" object for the request the calling thread handles (set by the
// server before routing; null = no provenance in the envelope).
void SetRequestProvenance(std::shared_ptr<const std::string> provenance_json);

// The IODA envelope around an already-rendered `data_json` (or an error message).
std::string Envelope(const std::string& type, const httplib::Request& req,
                     const std::string& data_json, const std::string& error);

// An error answer: `status` with the envelope carrying `message`.
void SendError(const httplib::Request& req, httplib::Response& res, int status,
               const std::string& type, const std::string& message);

// --- response compression
// cpp-httplib (Debian builds it with brotli and zlib) compresses every compressible body itself
// on each request, preferring brotli at quality 11: 0.1-0.8 s of CPU for a 40 KB script or a
// 30-day series under load. So the API compresses sizeable bodies itself with gzip (level 6 for
// API answers, which change; level 9 once per file for the dashboard's immutable assets) and hands
// them to httplib as a fixed-length content provider, which httplib sends as is.

// Bodies smaller than this are sent as they are.
inline constexpr size_t kCompressMinBytes = 1024;

bool IsCompressibleType(std::string_view type);
// True when Accept-Encoding lists gzip without q=0 (RFC 9110 12.5.3; "*" counts too).
bool AcceptsGzip(const httplib::Request& req);
// gzip (RFC 1952) of `data`; nullopt if zlib fails (the caller then sends it uncompressed).
std::optional<std::string> Gzip(std::string_view data, int level);
// Sends `bytes` exactly as given, with httplib's own compression out of the way.
void SendExact(httplib::Response& res, std::shared_ptr<const std::string> bytes,
               const std::string& type);
// The body of a dynamic answer: gzip at level 6 when it pays and the client takes it.
void SetBody(const httplib::Request& req, httplib::Response& res, std::string body,
             const std::string& type);

// True when the request carries `Authorization: Bearer <token>` (compared in constant time);
// otherwise writes the 401 answer and returns false. An empty token refuses every request.
bool Authorized(const httplib::Request& req, httplib::Response& res, const std::string& token);

std::string XmlEscape(std::string_view s);

// Rendered answers of cacheable GETs, each valid for the data generation it was rendered from.
// Bounded in entries and bytes (cleared whole when full).
class RenderCache {
 public:
  explicit RenderCache(const DataView& data) : data_(data) {}
  // The cached rendering for `key`, else `render()` (kept unless too big).
  // REQUIRES: `key` captures every input of `render`.
  std::string Get(const std::string& key, const std::function<std::string()>& render);

 private:
  const DataView& data_;
  std::mutex mu_;
  std::unordered_map<std::string, std::pair<uint64_t, std::string>> entries_;  // key -> (gen, data)
  size_t bytes_ = 0;  // sum of the cached data's sizes
};

}  // namespace blackout::server
