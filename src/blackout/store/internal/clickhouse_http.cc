#include "blackout/store/internal/clickhouse_http.h"

#include <curl/curl.h>

#include <cstdlib>

namespace blackout::store::internal {
namespace {

size_t Sink(char* p, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, size * n);
  return size * n;
}

// ClickHouse error codes we map (dbms/src/Common/ErrorCodes.cpp).
Status FromServer(long http, const std::string& body) {
  std::string msg = body.substr(0, 2000);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  int code = 0;
  if (body.starts_with("Code: ")) code = std::atoi(body.c_str() + 6);
  std::string text = "ClickHouse (HTTP " + std::to_string(http) + "): " + msg;
  switch (code) {
    case 81:  // UNKNOWN_DATABASE
    case 60:  // UNKNOWN_TABLE
      return Status(StatusCode::kNotFound, text);
    case 164:  // READONLY
    case 497:  // ACCESS_DENIED
    case 516:  // AUTHENTICATION_FAILED
    case 192:  // UNKNOWN_USER
    case 193:  // WRONG_PASSWORD
      return Status(StatusCode::kPermissionDenied, text);
    case 243:  // NOT_ENOUGH_SPACE
    case 76:   // CANNOT_OPEN_FILE
    case 74:   // CANNOT_READ_FROM_FILE_DESCRIPTOR
    case 75:   // CANNOT_WRITE_TO_FILE_DESCRIPTOR
      return Status(StatusCode::kIoError, text);
    case 202:  // TOO_MANY_SIMULTANEOUS_QUERIES
    case 159:  // TIMEOUT_EXCEEDED
    // A cluster node that cannot reach a replica or ZooKeeper: another node may (HttpClient::Run
    // tries the next host on kUnavailable).
    case 32:   // ATTEMPT_TO_READ_AFTER_EOF (a replica died mid-query)
    case 209:  // SOCKET_TIMEOUT
    case 210:  // NETWORK_ERROR
    case 225:  // NO_ZOOKEEPER
    case 242:  // TABLE_IS_READ_ONLY (replica without its ZooKeeper session)
    case 279:  // ALL_CONNECTION_TRIES_FAILED
    case 319:  // UNKNOWN_STATUS_OF_INSERT
    case 999:  // KEEPER_EXCEPTION
      return Status(StatusCode::kUnavailable, text);
    default:
      return Status(StatusCode::kInternal, text);
  }
}

struct CurlInit {
  CurlInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

}  // namespace

HttpClient::HttpClient(std::string base, int timeout_ms)
    : HttpClient(std::vector<std::string>{std::move(base)}, timeout_ms, "") {}

HttpClient::HttpClient(std::vector<std::string> bases, int timeout_ms, std::string settings)
    : bases_(std::move(bases)), settings_(std::move(settings)), timeout_ms_(timeout_ms) {
  static CurlInit init;
  for (std::string& b : bases_) {
    while (!b.empty() && b.back() == '/') b.pop_back();
  }
}

// Every statement blackout sends is safe to send twice (writes replace by key, docs/store.md), so
// a statement whose fate is unknown (timeout, connection lost) may go to the next host.
Result<std::string> HttpClient::Run(std::string_view sql, std::string_view data, bool has_data) {
  size_t n = bases_.size();
  size_t start = preferred_.load(std::memory_order_relaxed) % n;
  Status last;
  for (size_t k = 0; k < n; ++k) {
    size_t i = (start + k) % n;
    Result<std::string> r = RunOn(bases_[i], sql, data, has_data);
    if (r.ok() || r.status().code() != StatusCode::kUnavailable) {
      if (k > 0) preferred_.store(i, std::memory_order_relaxed);
      return r;
    }
    last = r.status();
  }
  if (n == 1) return last;
  return Status(
      StatusCode::kUnavailable,
      "none of the " + std::to_string(n) + " ClickHouse hosts answered; last: " + last.message());
}

HttpClient::~HttpClient() {
  for (void* c : pool_) curl_easy_cleanup(static_cast<CURL*>(c));
}

void* HttpClient::Take() {
  {
    std::lock_guard lock(mu_);
    if (!pool_.empty()) {
      void* c = pool_.back();
      pool_.pop_back();
      return c;
    }
  }
  return curl_easy_init();
}

void HttpClient::Give(void* c) {
  std::lock_guard lock(mu_);
  if (pool_.size() < 8) {
    pool_.push_back(c);
  } else {
    curl_easy_cleanup(static_cast<CURL*>(c));
  }
}

Result<std::string> HttpClient::RunOn(const std::string& base, std::string_view sql,
                                      std::string_view data, bool has_data) {
  CURL* c = static_cast<CURL*>(Take());
  if (!c) return Internal("curl_easy_init failed");
  curl_easy_reset(c);
  // Batches name many series in one statement; lift the 256 KiB default query size.
  std::string url =
      base +
      "/?max_query_size=268435456&max_ast_elements=100000000&max_expanded_ast_elements=100000000";
  if (!settings_.empty()) url += "&" + settings_;
  std::string body;
  if (has_data) {
    char* q = curl_easy_escape(c, sql.data(), static_cast<int>(sql.size()));
    url += "&query=";
    url += q;
    curl_free(q);
  }
  std::string_view post = has_data ? data : sql;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, post.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Sink);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms_));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(timeout_ms_, 5000)));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  struct curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/octet-stream");
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  CURLcode rc = curl_easy_perform(c);
  long http = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
  curl_slist_free_all(headers);
  Give(c);
  if (rc != CURLE_OK) {
    return Unavailable("ClickHouse at " + base + " is unreachable: " + curl_easy_strerror(rc));
  }
  if (http != 200) return FromServer(http, body);
  return body;
}

std::string Quote(std::string_view text) {
  std::string out = "'";
  for (char ch : text) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\0':
        out += "\\0";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += ch;
    }
  }
  out += "'";
  return out;
}

std::vector<std::vector<std::string>> ParseTsv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == '\\' && i + 1 < text.size()) {
      char e = text[++i];
      switch (e) {
        case 'n':
          field += '\n';
          break;
        case 't':
          field += '\t';
          break;
        case 'r':
          field += '\r';
          break;
        case '0':
          field += '\0';
          break;
        case 'b':
          field += '\b';
          break;
        case 'f':
          field += '\f';
          break;
        default:
          field += e;
      }
      any = true;
    } else if (ch == '\t') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (ch == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      any = false;
    } else {
      field += ch;
      any = true;
    }
  }
  if (any) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

int64_t ToI64(const std::string& s) { return std::strtoll(s.c_str(), nullptr, 10); }

double ToF64(const std::string& s) { return std::strtod(s.c_str(), nullptr); }

}  // namespace blackout::store::internal
