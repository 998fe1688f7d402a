// The uploader's transport to the observatory's write API (spool.h), over cpp-httplib.
#include <httplib.h>

#include "blackout/probe/spool.h"

namespace blackout::probe {
namespace {

class HttpTransport : public Transport {
 public:
  HttpTransport(std::string base_url, std::string token, int timeout_ms)
      : client_(base_url), token_(std::move(token)) {
    client_.set_connection_timeout(timeout_ms / 1000, (timeout_ms % 1000) * 1000);
    client_.set_read_timeout(timeout_ms / 1000, (timeout_ms % 1000) * 1000);
    client_.set_write_timeout(timeout_ms / 1000, (timeout_ms % 1000) * 1000);
    // A connection per upload: after a timeout, the observatory's late answer to the request that
    // timed out must never be read as the answer to the next one.
    client_.set_keep_alive(false);
  }

  Status Post(const std::string& body) override {
    httplib::Headers headers = {{"Authorization", "Bearer " + token_}};
    auto res = client_.Post(kPath, headers, body, "text/plain");
    if (!res) {
      return Unavailable(std::string("observatory unreachable: ") +
                         httplib::to_string(res.error()));
    }
    const std::string what =
        "observatory answered " + std::to_string(res->status) + ": " + res->body.substr(0, 300);
    if (res->status == 200 || res->status == 201) {
      // The answer names the round it acknowledges.
      const std::string round = RoundOf(body);
      if (!round.empty() && res->body.find("\"round\":" + round) == std::string::npos) {
        return Unavailable("observatory answer does not acknowledge round " + round);
      }
      return Status::Ok();
    }
    if (res->status == 409) return NotFound(what);
    if (res->status == 400 || res->status == 413) return Status(StatusCode::kDataLoss, what);
    if (res->status == 401 || res->status == 403)
      return Status(StatusCode::kPermissionDenied, what);
    return Unavailable(what);
  }

 private:
  // The round start of a round upload (its ROUND line's second field), else "".
  static std::string RoundOf(const std::string& body) {
    const size_t at = body.rfind("\nROUND\t");
    if (at == std::string::npos) return "";
    const size_t from = at + 7, tab = body.find('\t', from);
    return tab == std::string::npos ? "" : body.substr(from, tab - from);
  }
  static constexpr const char* kPath = "/api/v2/admin/probe/upload";
  httplib::Client client_;
  std::string token_;
};

}  // namespace

std::unique_ptr<Transport> MakeHttpTransport(std::string base_url, std::string token,
                                             int timeout_ms) {
  return std::make_unique<HttpTransport>(std::move(base_url), std::move(token), timeout_ms);
}

}  // namespace blackout::probe
