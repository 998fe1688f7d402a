// A vantage point's outbox to the observatory (docs/probe.md, "Reporting to the observatory").
// Spool: an on-disk queue, one file per upload named by a sequence number, each written to a
// temporary name, fsynced, renamed and the folder fsynced, so an entry exists whole or not at
// all; each file starts with a line giving the body's length and hash, so a damaged entry
// (truncated by a crash or a disk fault) is detected, set aside as *.bad and never sent.
// Uploader: a thread that sends the entries in order through a Transport, removes each one once
// the observatory acknowledged it, and retries with exponential back-off while it cannot; the
// block list goes first, and again whenever the observatory says it has none. A resend after a
// crash between acknowledgement and removal is harmless: the observatory's ingest is idempotent.
// Thread-safety: Spool and Uploader are internally synchronized; Transport is called from the
// uploader's thread only.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "blackout/base/status.h"

namespace blackout::probe {

inline constexpr std::string_view kSpoolHeader = "#blackout-spool v1";

class Spool {
 public:
  // Creates `dir` if needed; removes temporary files a crash left behind (`discarded`).
  static Result<std::unique_ptr<Spool>> Open(const std::filesystem::path& dir);

  // Writes one entry durably; returns its sequence number (after every existing one).
  Result<uint64_t> Append(std::string_view body);
  // Sequence numbers of the entries waiting, oldest first.
  std::vector<uint64_t> Pending() const;
  // The body of entry `seq`; kDataLoss when the file does not match its header line.
  Result<std::string> Read(uint64_t seq) const;
  Status Remove(uint64_t seq);
  // Renames entry `seq` to *.bad (kept for inspection, never sent).
  Status SetAside(uint64_t seq);
  // Temporary files removed at Open plus entries set aside since.
  uint64_t discarded() const { return discarded_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  explicit Spool(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path PathOf(uint64_t seq) const;
  std::filesystem::path dir_;
  mutable std::mutex mu_;
  uint64_t next_ = 1;
  std::atomic<uint64_t> discarded_{0};
};

// Where uploads go. Post returns Ok when the observatory acknowledged the body (stored, or already
// held); kNotFound when it holds no block list for the vantage point; kDataLoss when it rejected
// the body as malformed (resending cannot help); anything else is retried.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Status Post(const std::string& body) = 0;
};

// The observatory's write API over HTTP: POST BASE/api/v2/admin/probe/upload with the bearer
// token (docs/api.md). `base_url` is "http://host:port".
std::unique_ptr<Transport> MakeHttpTransport(std::string base_url, std::string token,
                                             int timeout_ms = 5000);

struct UploaderOptions {
  int64_t min_backoff_ms = 500;
  int64_t max_backoff_ms = 30'000;
};

struct UploaderStats {
  uint64_t sent = 0;      // entries acknowledged (rounds and block lists)
  uint64_t failures = 0;  // failed attempts (each followed by a back-off)
  uint64_t rejected = 0;  // entries the observatory refused as malformed (set aside)
};

class Uploader {
 public:
  // `blocks` is the block list (FormatBlockList), sent before the first entry. The references must
  // outlive the uploader.
  Uploader(Spool& spool, Transport& transport, std::string blocks, UploaderOptions options = {});
  ~Uploader();

  // Sends what is pending, in order, until the spool is empty or a send fails (that status is
  // returned). The thread's one step; tests call it directly.
  Status SendPending();

  // The sending thread: SendPending, then sleeps until Notify or, after a failure, the back-off.
  void Start();
  void Notify();
  // Waits up to `ms` for the spool to empty; true when it did.
  bool Drain(int64_t ms);
  void Stop();
  UploaderStats stats() const;

 private:
  void Loop();
  Spool& spool_;
  Transport& transport_;
  std::string blocks_;
  UploaderOptions options_;
  bool blocks_sent_ = false;  // by this process, since the last "no block list" answer
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool notified_ = false;
  bool idle_ = false;  // the spool was empty at the thread's last look
  UploaderStats stats_;
  std::thread thread_;
};

}  // namespace blackout::probe
