#include "blackout/bgp/fetch.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

namespace blackout::bgp {
namespace {

namespace fs = std::filesystem;

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};

void EnsureCurl() { static CurlGlobal global; }

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// State of one GET, shared with libcurl's callbacks.
struct Transfer {
  CURL* curl = nullptr;
  fs::path part;
  uint64_t offset = 0;  // bytes already in the .part file when the request was sent
  std::unique_ptr<std::FILE, FileCloser> out;
  bool decided = false;  // whether the response code has been looked at
  bool write_error = false;
  long code = 0;                  // NOLINT(runtime/int)
  std::optional<uint64_t> total;  // the full file size the server announced
  std::string validator;          // the response's ETag, else its Last-Modified
};

// NAME.part.meta: the size and validator (ETag / Last-Modified) of the file a .part belongs to, so
// that a resumed transfer continues the same file: If-Range makes the server send the whole file
// when it changed, and a Content-Range total other than the recorded size discards the part.
struct PartMeta {
  uint64_t size = 0;
  std::string validator;
};

fs::path MetaPath(const fs::path& part) {
  fs::path m = part;
  m += ".meta";
  return m;
}

std::optional<PartMeta> ReadMeta(const fs::path& part) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(MetaPath(part).c_str(), "rb"));
  if (!f) return std::nullopt;
  char buf[1024];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f.get());
  buf[n] = '\0';
  PartMeta m;
  char* end = nullptr;
  m.size = std::strtoull(buf, &end, 10);
  if (end == buf || *end != '\n') return std::nullopt;
  m.validator = std::string(end + 1);
  while (!m.validator.empty() && (m.validator.back() == '\n' || m.validator.back() == '\r')) {
    m.validator.pop_back();
  }
  return m;
}

void WriteMeta(const fs::path& part, uint64_t size, const std::string& validator) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(MetaPath(part).c_str(), "wb"));
  if (f)
    std::fprintf(f.get(), "%llu\n%s\n", static_cast<unsigned long long>(size), validator.c_str());
}

void RemovePart(const fs::path& part) {
  std::error_code ec;
  fs::remove(part, ec);
  fs::remove(MetaPath(part), ec);
}

std::string HeaderValue(const std::string& line, size_t name_len) {
  size_t b = name_len, e = line.size();
  while (b < e && (line[b] == ' ' || line[b] == '\t')) ++b;
  while (e > b && (line[e - 1] == '\r' || line[e - 1] == '\n' || line[e - 1] == ' ')) --e;
  return line.substr(b, e - b);
}

// Parses "Content-Range: bytes a-b/total" and "Content-Length: n" headers.
size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  std::string lower = line;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.rfind("http/", 0) == 0) {
    t->total.reset();  // a new response (redirect or 100-continue) starts
    t->validator.clear();
  } else if (lower.rfind("etag:", 0) == 0) {
    t->validator = HeaderValue(line, 5);
  } else if (lower.rfind("last-modified:", 0) == 0 && t->validator.empty()) {
    t->validator = HeaderValue(line, 14);
  } else if (lower.rfind("content-range:", 0) == 0) {
    size_t slash = lower.find('/');
    if (slash != std::string::npos && lower.compare(slash + 1, 1, "*") != 0) {
      t->total = std::strtoull(lower.c_str() + slash + 1, nullptr, 10);
    }
  } else if (lower.rfind("content-length:", 0) == 0 && !t->total) {
    long code = 0;  // NOLINT(runtime/int)
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
    if (code == 200) t->total = std::strtoull(lower.c_str() + 15, nullptr, 10);
  }
  return size * n;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->decided) {
    t->decided = true;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &t->code);
    if (t->code == 200 || t->code == 206) {
      // 200 to a Range request: the server sends the whole file, so start over.
      bool append = t->code == 206 && t->offset > 0;
      t->out.reset(std::fopen(t->part.c_str(), append ? "ab" : "wb"));
      if (!t->out) {
        t->write_error = true;
        return 0;
      }
      if (!append) {
        t->offset = 0;
        std::error_code ec;
        fs::remove(MetaPath(t->part), ec);
        if (t->total) WriteMeta(t->part, *t->total, t->validator);
      }
    }
  }
  if (!t->out) return size * n;  // error body: discard
  if (std::fwrite(data, 1, size * n, t->out.get()) != size * n) {
    t->write_error = true;
    return 0;
  }
  return size * n;
}

uint64_t FileSize(const fs::path& p) {
  std::error_code ec;
  auto s = fs::file_size(p, ec);
  return ec ? 0 : s;
}

// HEAD: the size the server announces, or a Status (kNotFound on 404).
Result<uint64_t> RemoteSize(const std::string& url, const FetchOptions& o) {
  Easy easy(curl_easy_init());
  if (!easy) return Internal("curl_easy_init failed");
  CURL* c = easy.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o.connect_timeout_s);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, o.connect_timeout_s * 2);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK)
    return Unavailable(std::string("HEAD ") + url + ": " + curl_easy_strerror(rc));
  long code = 0;  // NOLINT(runtime/int)
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  if (code == 404 || code == 410) return NotFound("HTTP " + std::to_string(code) + " for " + url);
  if (code != 200) return Unavailable("HEAD " + url + ": HTTP " + std::to_string(code));
  curl_off_t len = -1;
  curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
  if (len < 0) return Unavailable("HEAD " + url + ": no Content-Length");
  return static_cast<uint64_t>(len);
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* abort = static_cast<const std::atomic<bool>*>(user);
  return abort->load(std::memory_order_relaxed) ? 1 : 0;
}

bool Stopped(const std::atomic<bool>* flag) {
  return flag != nullptr && flag->load(std::memory_order_relaxed);
}

bool Retryable(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kDataLoss;
}

// One attempt: GET (with Range when a .part exists), verify, rename. Fills `out`.
// `c` is the worker's handle, reset for this transfer: its connection cache outlives the reset, so
// consecutive transfers from one server reuse a connection.
Status Attempt(const FetchJob& job, const FetchOptions& o, CURL* c, FetchOutcome* out) {
  fs::path part = job.dest;
  part += ".part";
  Transfer t;
  t.part = part;
  t.offset = FileSize(part);
  if (c == nullptr) return Internal("curl_easy_init failed");
  curl_easy_reset(c);
  t.curl = c;
  curl_easy_setopt(c, CURLOPT_URL, job.url.c_str());
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o.connect_timeout_s);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o.low_speed_time_s);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "blackout-fetch/1");
  if (o.abort != nullptr) {
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, o.abort);
  }
  std::string range;
  std::optional<PartMeta> meta;
  struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
  };
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  if (t.offset > 0) {
    range = std::to_string(t.offset) + "-";
    curl_easy_setopt(c, CURLOPT_RANGE, range.c_str());
    out->resumed = true;
    meta = ReadMeta(part);
    if (meta && !meta->validator.empty()) {
      headers.reset(curl_slist_append(nullptr, ("If-Range: " + meta->validator).c_str()));
      curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    }
  }
  CURLcode rc = curl_easy_perform(c);
  t.out.reset();  // flush
  long code = 0;  // NOLINT(runtime/int)
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  if (t.write_error) return IoError("cannot write " + part.string());
  if (code == 200) out->resumed = false;  // the server sent the whole file (If-Range or no Range)
  if (code == 416 && t.offset > 0) {
    // The .part may already hold the whole file: check its size against the server's.
    BLACKOUT_ASSIGN_OR_RETURN(uint64_t size, RemoteSize(job.url, o));
    if (size == t.offset && (!meta || meta->size == size)) {
      fs::rename(part, job.dest);
      fs::remove(MetaPath(part));
      out->bytes = size;
      return Status::Ok();
    }
    RemovePart(part);
    return DataLoss("partial file larger than the server's copy; restarting");
  }
  if (code == 404 || code == 410)
    return NotFound("HTTP " + std::to_string(code) + " for " + job.url);
  if (rc != CURLE_OK) {
    return Unavailable(std::string("GET ") + job.url + ": " + curl_easy_strerror(rc));
  }
  if (code == 429 || code >= 500)
    return Unavailable("GET " + job.url + ": HTTP " + std::to_string(code));
  if (code != 200 && code != 206) {
    return Status(StatusCode::kIoError, "GET " + job.url + ": HTTP " + std::to_string(code));
  }
  uint64_t have = FileSize(part);
  if (!t.total) return DataLoss("GET " + job.url + ": server sent no size; cannot verify");
  if (code == 206 && meta && meta->size != *t.total) {
    // The server's file is not the one the part began: its beginning cannot be trusted.
    RemovePart(part);
    out->resumed = false;
    return DataLoss("GET " + job.url + ": size changed on the server since the partial transfer (" +
                    std::to_string(meta->size) + " bytes, now " + std::to_string(*t.total) +
                    "); the partial file was discarded and the transfer restarts");
  }
  if (have != *t.total) {
    return DataLoss("GET " + job.url + ": have " + std::to_string(have) + " bytes, server said " +
                    std::to_string(*t.total));
  }
  std::error_code ec;
  fs::rename(part, job.dest, ec);
  if (ec) return IoError("rename " + part.string() + ": " + ec.message());
  fs::remove(MetaPath(part), ec);
  out->bytes = have;
  return Status::Ok();
}

FetchOutcome FetchOne(const FetchJob& job, const FetchOptions& o, CURL* c, std::mt19937& rng) {
  FetchOutcome out;
  out.job = job;
  std::error_code ec;
  fs::create_directories(job.dest.parent_path(), ec);
  if (ec) {
    out.status = IoError("cannot create " + job.dest.parent_path().string() + ": " + ec.message());
    return out;
  }
  int attempts = std::max(1, o.max_attempts);
  double delay = o.backoff_initial_s;
  for (int i = 0; i < attempts; ++i) {
    out.attempts = i + 1;
    if (fs::exists(job.dest)) {
      auto size = RemoteSize(job.url, o);
      if (size.ok() && *size == FileSize(job.dest)) {
        out.skipped = true;
        out.bytes = *size;
        out.status = Status::Ok();
        return out;
      }
      if (!size.ok() && !Retryable(size.status())) {
        out.status = size.status();
        return out;
      }
      if (size.ok()) fs::remove(job.dest, ec);  // stale or different: fetch again
    }
    if (!fs::exists(job.dest)) out.status = Attempt(job, o, c, &out);
    if (out.status.ok() || !Retryable(out.status) || Stopped(o.abort)) return out;
    if (i + 1 < attempts) {
      std::uniform_real_distribution<double> jitter(0.5, 1.0);
      std::this_thread::sleep_for(std::chrono::duration<double>(delay * jitter(rng)));
      delay = std::min(delay * 2, o.backoff_max_s);
    }
  }
  return out;
}

}  // namespace

std::vector<FetchOutcome> FetchFiles(const std::vector<FetchJob>& jobs, const FetchOptions& options,
                                     const FetchCallback& on_done) {
  EnsureCurl();
  std::vector<FetchOutcome> outcomes(jobs.size());
  std::atomic<size_t> next{0};
  std::mutex done_mu;
  auto worker = [&](unsigned seed) {
    std::mt19937 rng(seed);
    Easy easy(curl_easy_init());
    for (size_t i; (i = next.fetch_add(1)) < jobs.size();) {
      if (Stopped(options.stop_new) || Stopped(options.abort)) {
        outcomes[i].job = jobs[i];
        outcomes[i].status = Unavailable("not started: " + jobs[i].url);
        continue;
      }
      outcomes[i] = FetchOne(jobs[i], options, easy.get(), rng);
      if (on_done) {
        std::lock_guard<std::mutex> lock(done_mu);
        on_done(outcomes[i]);
      }
    }
  };
  int n = std::clamp<int>(options.concurrency, 1, std::max<int>(1, static_cast<int>(jobs.size())));
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back(worker, 1234u + i);
  worker(1234u);
  for (auto& th : threads) th.join();
  return outcomes;
}

}  // namespace blackout::bgp
