// A minimal ClickHouse HTTP client (libcurl): run a statement, optionally with a request body
// (bulk data for INSERT ... FORMAT RowBinary), and get the response text. Also the RowBinary
// encoder and TabSeparated decoder the ClickHouse backend uses. Internal.
// Thread-safety: HttpClient is safe to share (one curl handle per call, connections pooled).
// With several hosts (replicas of a cluster, docs/store.md) a statement that cannot reach its host,
// or that the host cannot complete for a reason another host may not share (a replica or ZooKeeper
// unreachable from it), is sent to the next host; the host that answered is tried first next time.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/status.h"

namespace blackout::store::internal {

class HttpClient {
 public:
  // `base` is "http://HOST:PORT" (no path).
  HttpClient(std::string base, int timeout_ms);
  // Several hosts, tried in turn; `settings` ("name=value&...", may be empty) go with every
  // statement. REQUIRES: !bases.empty().
  HttpClient(std::vector<std::string> bases, int timeout_ms, std::string settings);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Without `data`: `sql` is the POST body. With `data`: `sql` goes in the URL (?query=) and `data`
  // is the body. Errors: kUnavailable (cannot connect / timeout), and ClickHouse's own errors
  // mapped to codes (see the .cc) with its message.
  Result<std::string> Run(std::string_view sql, std::string_view data = {}, bool has_data = false);

  // The first host.
  const std::string& base() const { return bases_.front(); }
  const std::vector<std::string>& bases() const { return bases_; }

 private:
  Result<std::string> RunOn(const std::string& base, std::string_view sql, std::string_view data,
                            bool has_data);
  void* Take();  // a CURL* from the pool or a new one
  void Give(void* curl);

  std::vector<std::string> bases_;
  std::string settings_;
  std::atomic<size_t> preferred_{0};  // index into bases_ of the host that answered last
  int timeout_ms_;
  std::mutex mu_;
  std::vector<void*> pool_;
};

// 'text' as a ClickHouse string literal.
std::string Quote(std::string_view text);

// RowBinary encoding (ClickHouse native little-endian values, varint-prefixed strings).
class RowBinary {
 public:
  void Str(std::string_view s) {
    Varint(s.size());
    buf_.append(s.data(), s.size());
  }
  void I64(int64_t v) { Raw(&v, 8); }
  void U64(uint64_t v) { Raw(&v, 8); }
  void F64(double v) { Raw(&v, 8); }
  void U8(uint8_t v) { buf_.push_back(static_cast<char>(v)); }
  const std::string& data() const { return buf_; }
  bool empty() const { return buf_.empty(); }
  void reserve(size_t n) { buf_.reserve(n); }

 private:
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      buf_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    buf_.push_back(static_cast<char>(v));
  }
  void Raw(const void* p, size_t n) {
    // ClickHouse wants little-endian; so is every platform blackout builds on (x86-64, arm64).
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
    buf_.append(static_cast<const char*>(p), n);
  }
  std::string buf_;
};

// Splits a TabSeparated response into rows of unescaped fields.
std::vector<std::vector<std::string>> ParseTsv(std::string_view text);
int64_t ToI64(const std::string& s);
double ToF64(const std::string& s);  // "nan" -> NaN

}  // namespace blackout::store::internal
