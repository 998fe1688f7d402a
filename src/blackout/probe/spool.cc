#include "blackout/probe/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "blackout/base/log.h"
#include "blackout/store/types.h"

namespace blackout::probe {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kEntrySuffix = ".up";

Status Errno(const std::string& what) { return IoError(what + ": " + std::strerror(errno)); }

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write " + path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Errno("open " + dir.string());
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Errno("fsync " + dir.string());
}

// The sequence number of an entry's file name, or 0.
uint64_t SeqOf(const fs::path& p) {
  const std::string name = p.filename().string();
  if (name.size() != 16 + kEntrySuffix.size() || !name.ends_with(kEntrySuffix)) return 0;
  uint64_t seq = 0;
  for (size_t i = 0; i < 16; ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    seq = seq * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  return seq;
}

}  // namespace

fs::path Spool::PathOf(uint64_t seq) const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llu", static_cast<unsigned long long>(seq));
  return dir_ / (std::string(buf) + std::string(kEntrySuffix));
}

Result<std::unique_ptr<Spool>> Spool::Open(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IoError("cannot create spool " + dir.string() + ": " + ec.message());
  std::unique_ptr<Spool> s(new Spool(dir));
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const fs::path& p = e.path();
    if (p.extension() == ".tmp") {  // a write the process did not finish: never an entry
      log::Warn("spool: removing unfinished entry ", p.string());
      fs::remove(p, ec);
      ++s->discarded_;
      continue;
    }
    if (uint64_t seq = SeqOf(p)) s->next_ = std::max(s->next_, seq + 1);
  }
  if (ec) return IoError("cannot list spool " + dir.string() + ": " + ec.message());
  return s;
}

Result<uint64_t> Spool::Append(std::string_view body) {
  std::lock_guard lock(mu_);
  const uint64_t seq = next_;
  const fs::path final_path = PathOf(seq);
  const std::string tmp = final_path.string() + ".tmp";
  std::string head = std::string(kSpoolHeader) + " " + std::to_string(body.size()) + " " +
                     store::ContentHash(body) + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("open " + tmp);
  Status st = WriteAll(fd, head, tmp);
  if (st.ok()) st = WriteAll(fd, body, tmp);
  if (st.ok() && ::fsync(fd) != 0) st = Errno("fsync " + tmp);
  ::close(fd);
  if (st.ok() && ::rename(tmp.c_str(), final_path.c_str()) != 0) st = Errno("rename " + tmp);
  if (st.ok()) st = SyncDir(dir_);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  next_ = seq + 1;
  return seq;
}

std::vector<uint64_t> Spool::Pending() const {
  std::lock_guard lock(mu_);
  std::vector<uint64_t> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (uint64_t seq = SeqOf(e.path())) out.push_back(seq);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> Spool::Read(uint64_t seq) const {
  const fs::path p = PathOf(seq);
  std::ifstream in(p, std::ios::binary);
  if (!in) return NotFound("spool entry " + p.string() + " is gone");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto bad = [&](const std::string& why) {
    return Status(StatusCode::kDataLoss, "spool entry " + p.string() + ": " + why);
  };
  const size_t nl = text.find('\n');
  if (nl == std::string::npos) return bad("no header line");
  std::string_view head = std::string_view(text).substr(0, nl);
  const std::string prefix = std::string(kSpoolHeader) + " ";
  if (!head.starts_with(prefix)) return bad("bad header line");
  head.remove_prefix(prefix.size());
  const size_t sp = head.find(' ');
  if (sp == std::string_view::npos) return bad("bad header line");
  const std::string size_text(head.substr(0, sp));
  const std::string hash(head.substr(sp + 1));
  std::string body = text.substr(nl + 1);
  if (size_text != std::to_string(body.size())) {
    return bad("length " + std::to_string(body.size()) + " but the header says " + size_text +
               " (truncated)");
  }
  if (store::ContentHash(body) != hash) return bad("content does not match its hash");
  return body;
}

Status Spool::Remove(uint64_t seq) {
  std::lock_guard lock(mu_);
  std::error_code ec;
  fs::remove(PathOf(seq), ec);
  if (ec) return IoError("cannot remove spool entry: " + ec.message());
  return SyncDir(dir_);
}

Status Spool::SetAside(uint64_t seq) {
  std::lock_guard lock(mu_);
  const fs::path p = PathOf(seq);
  std::error_code ec;
  fs::rename(p, p.string() + ".bad", ec);
  if (ec) return IoError("cannot set spool entry aside: " + ec.message());
  ++discarded_;
  return SyncDir(dir_);
}

Uploader::Uploader(Spool& spool, Transport& transport, std::string blocks, UploaderOptions options)
    : spool_(spool), transport_(transport), blocks_(std::move(blocks)), options_(options) {}

Uploader::~Uploader() { Stop(); }

Status Uploader::SendPending() {
  for (uint64_t seq : spool_.Pending()) {
    auto body = spool_.Read(seq);
    if (!body.ok()) {
      if (body.status().code() == StatusCode::kNotFound) continue;
      log::Error("probe upload: ", body.status().ToString(), "; set aside, not sent");
      BLACKOUT_RETURN_IF_ERROR(spool_.SetAside(seq));
      continue;
    }
    for (int attempt = 0;; ++attempt) {
      if (!blocks_sent_) {
        Status st = transport_.Post(blocks_);
        if (!st.ok()) return st;
        blocks_sent_ = true;
        std::lock_guard lock(mu_);
        ++stats_.sent;
      }
      Status st = transport_.Post(*body);
      if (st.code() == StatusCode::kNotFound && attempt == 0) {
        blocks_sent_ = false;  // the observatory lost or never had the list: once more with it
        continue;
      }
      if (st.code() == StatusCode::kDataLoss) {
        log::Error("probe upload: the observatory rejected spool entry ", seq, ": ", st.ToString(),
                   "; set aside");
        BLACKOUT_RETURN_IF_ERROR(spool_.SetAside(seq));
        std::lock_guard lock(mu_);
        ++stats_.rejected;
        break;
      }
      if (!st.ok()) return st;
      BLACKOUT_RETURN_IF_ERROR(spool_.Remove(seq));
      std::lock_guard lock(mu_);
      ++stats_.sent;
      break;
    }
  }
  return Status::Ok();
}

void Uploader::Loop() {
  int64_t backoff = options_.min_backoff_ms;
  std::unique_lock lock(mu_);
  while (!stop_) {
    notified_ = false;
    lock.unlock();
    Status st = SendPending();
    lock.lock();
    if (st.ok()) {
      backoff = options_.min_backoff_ms;
      idle_ = spool_.Pending().empty();
      cv_.notify_all();
      cv_.wait(lock, [&] { return stop_ || notified_; });
      continue;
    }
    ++stats_.failures;
    idle_ = false;
    log::Warn("probe upload: ", st.ToString(), "; retrying in ", backoff, " ms");
    cv_.wait_for(lock, std::chrono::milliseconds(backoff), [&] { return stop_; });
    backoff = std::min(backoff * 2, options_.max_backoff_ms);
  }
}

void Uploader::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Uploader::Notify() {
  std::lock_guard lock(mu_);
  notified_ = true;
  idle_ = false;
  cv_.notify_all();
}

bool Uploader::Drain(int64_t ms) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return idle_ && !notified_; });
}

void Uploader::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

UploaderStats Uploader::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace blackout::probe
