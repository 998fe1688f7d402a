#include "blackout/base/input.h"

#include <bzlib.h>
#include <fcntl.h>
#include <lzma.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace blackout {

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kBzip2:
      return "bzip2";
    case Compression::kXz:
      return "xz";
    case Compression::kZstd:
      return "zstd";
  }
  return "unknown";
}

Compression DetectCompression(std::span<const uint8_t> h) {
  // gzip: RFC 1952 section 2.3.1 (ID1 ID2 = 1f 8b).
  if (h.size() >= 2 && h[0] == 0x1f && h[1] == 0x8b) return Compression::kGzip;
  // bzip2: "BZh" then the block size '1'..'9'.
  if (h.size() >= 4 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h' && h[3] >= '1' && h[3] <= '9') {
    return Compression::kBzip2;
  }
  // xz: stream header magic FD 37 7A 58 5A 00 (xz file format 1.0.4, section 2.1.1.1).
  static constexpr uint8_t kXzMagic[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
  if (h.size() >= 6 && std::memcmp(h.data(), kXzMagic, 6) == 0) return Compression::kXz;
  // zstd: frame magic 0xFD2FB528 little-endian (RFC 8878 section 3.1.1), or a skippable frame
  // 0x184D2A5? (section 3.1.2).
  if (h.size() >= 4) {
    if (h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f && h[3] == 0xfd) return Compression::kZstd;
    if ((h[0] & 0xf0) == 0x50 && h[1] == 0x2a && h[2] == 0x4d && h[3] == 0x18) {
      return Compression::kZstd;
    }
  }
  return Compression::kNone;
}

namespace {

// Compressed bytes are read in large blocks: fewer syscalls, and the codecs run longest between
// refills.
constexpr size_t kRawBufferSize = 1 << 20;
// Decompressed chunks handed from the decoder thread to the consumer, and how many may be in flight
// (bounds memory to kChunkSize * kChunks).
constexpr size_t kChunkSize = 1 << 20;
constexpr size_t kChunks = 4;
// What the magic-byte detection reads first.
constexpr size_t kFillBlock = 4096;

// The compressed bytes: a file descriptor read in blocks, or a memory buffer given whole.
class RawInput {
 public:
  // Takes ownership of fd (closes it unless it is stdin). `size` is the file's size for regular
  // files, 0 for pipes and terminals.
  RawInput(int fd, uint64_t size)
      : fd_(fd), size_(size), buffer_(std::make_unique_for_overwrite<uint8_t[]>(kRawBufferSize)) {}
  explicit RawInput(std::string bytes)
      : memory_(std::move(bytes)), size_(memory_.size()), from_memory_(true) {}
  ~RawInput() {
    if (fd_ > 2) close(fd_);
  }
  RawInput(const RawInput&) = delete;
  RawInput& operator=(const RawInput&) = delete;

  // Unconsumed bytes.
  const uint8_t* data() const { return ptr_; }
  size_t avail() const { return avail_; }
  bool eof() const { return eof_; }
  void Consume(size_t n) {
    ptr_ += n;
    avail_ -= n;
    consumed_.fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t consumed() const { return consumed_.load(std::memory_order_relaxed); }
  uint64_t size() const { return size_; }
  // Makes a blocked read of a pipe or terminal give up (from another thread).
  void Stop() { stop_.store(true); }

  // REQUIRES: avail() == 0. Reads the next block; sets eof() at the end of the input.
  Status Refill() {
    if (eof_) return Status::Ok();
    if (from_memory_) {
      ptr_ = reinterpret_cast<const uint8_t*>(memory_.data());
      avail_ = memory_.size();
      if (memory_delivered_ || avail_ == 0) {
        avail_ = 0;
        eof_ = true;
      }
      memory_delivered_ = true;
      return Status::Ok();
    }
    Result<size_t> n = ReadFd(buffer_.get(), kRawBufferSize);
    if (!n.ok()) return n.status();
    ptr_ = buffer_.get();
    avail_ = *n;
    if (*n == 0) eof_ = true;
    return Status::Ok();
  }

  // Refills until at least `want` bytes are buffered or the input ends (for magic detection). Reads
  // a small block only, so that plain input copies little through this buffer.
  Status Fill(size_t want) {
    if (from_memory_) return avail_ == 0 ? Refill() : Status::Ok();
    while (avail_ < want && !eof_) {
      if (ptr_ != buffer_.get()) {
        if (avail_ > 0) std::memmove(buffer_.get(), ptr_, avail_);  // ptr_ is null before a read
        ptr_ = buffer_.get();
      }
      const size_t block = std::max(want, kFillBlock);
      Result<size_t> n = ReadFd(buffer_.get() + avail_, std::min(block, kRawBufferSize) - avail_);
      if (!n.ok()) return n.status();
      if (*n == 0) eof_ = true;
      avail_ += *n;
    }
    return Status::Ok();
  }

  // Reads straight into `out` (plain input: no intermediate copy). Returns 0 at end of input.
  Result<size_t> ReadDirect(uint8_t* out, size_t n) {
    if (avail_ > 0) {
      size_t k = std::min(n, avail_);
      std::memcpy(out, ptr_, k);
      Consume(k);
      return k;
    }
    if (from_memory_) {
      BLACKOUT_RETURN_IF_ERROR(Refill());
      if (avail_ == 0) return size_t{0};
      return ReadDirect(out, n);
    }
    if (eof_) return size_t{0};
    Result<size_t> k = ReadFd(out, n);
    if (!k.ok()) return k;
    if (*k == 0) eof_ = true;
    consumed_.fetch_add(*k, std::memory_order_relaxed);
    return k;
  }

 private:
  Result<size_t> ReadFd(uint8_t* out, size_t n) {
    for (;;) {
      // A pipe or terminal may block forever; poll so that a closing consumer can stop us.
      if (size_ == 0 && !from_memory_) {
        pollfd p{fd_, POLLIN, 0};
        int r = poll(&p, 1, 100);
        if (stop_.load()) return size_t{0};
        if (r == 0 || (r < 0 && errno == EINTR)) continue;
      }
      ssize_t k = read(fd_, out, n);
      if (k >= 0) return static_cast<size_t>(k);
      if (errno == EINTR) continue;
      return IoError(std::string("read: ") + std::strerror(errno));
    }
  }

  int fd_ = -1;
  std::string memory_;
  uint64_t size_ = 0;
  std::atomic<bool> stop_{false};
  bool from_memory_ = false;
  bool memory_delivered_ = false;
  std::unique_ptr<uint8_t[]> buffer_;  // fd input only
  const uint8_t* ptr_ = nullptr;
  size_t avail_ = 0;
  bool eof_ = false;
  std::atomic<uint64_t> consumed_{0};
};

// Turns raw bytes into decompressed bytes. Read fills as much of `out` as it can; it returns the
// good bytes before an error and the error (sticky) on the next call.
class Decoder {
 public:
  Decoder(RawInput* in, std::string name, Compression c) : in_(in), name_(std::move(name)), c_(c) {}
  virtual ~Decoder() = default;
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  Result<size_t> Read(uint8_t* out, size_t n) {
    if (!error_.ok()) return error_;
    if (done_ || n == 0) return size_t{0};
    size_t produced = 0;
    Status st = Decode(out, n, &produced);
    produced_ += produced;
    if (!st.ok()) {
      error_ = st.WithLocation(Location{name_, produced_, {}, {}});
      if (produced > 0) return produced;
      return error_;
    }
    if (produced == 0) done_ = true;
    return produced;
  }

 protected:
  // Fills out[0..n) as far as possible, setting *produced; *produced == 0 with OK means clean end.
  virtual Status Decode(uint8_t* out, size_t n, size_t* produced) = 0;

  Status Truncated() const {
    return DataLoss(std::string(CompressionName(c_)) + " stream truncated after " +
                    std::to_string(in_->consumed()) + " compressed bytes (" +
                    std::to_string(produced_ + pending_) + " bytes decompressed)");
  }
  Status Corrupt(const std::string& what) const {
    return DataLoss(std::string(CompressionName(c_)) + " stream corrupt at compressed byte " +
                    std::to_string(in_->consumed()) + " (" + std::to_string(produced_ + pending_) +
                    " bytes decompressed): " + what);
  }
  // True if more input follows (refilling if needed); used between members/streams.
  Result<bool> MoreInput() {
    if (in_->avail() == 0) BLACKOUT_RETURN_IF_ERROR(in_->Refill());
    return in_->avail() > 0;
  }

  RawInput* in_;
  std::string name_;
  Compression c_;
  uint64_t produced_ = 0;  // before the current Decode call
  size_t pending_ = 0;     // produced within the current Decode call (for messages)

 private:
  Status error_;
  bool done_ = false;
};

class PlainDecoder : public Decoder {
 public:
  using Decoder::Decoder;

 protected:
  Status Decode(uint8_t* out, size_t n, size_t* produced) override {
    Result<size_t> k = in_->ReadDirect(out, n);
    if (!k.ok()) return k.status();
    *produced = *k;
    return Status::Ok();
  }
};

class GzipDecoder : public Decoder {
 public:
  GzipDecoder(RawInput* in, std::string name) : Decoder(in, std::move(name), Compression::kGzip) {
    std::memset(&z_, 0, sizeof(z_));
    init_ = inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK;
  }
  ~GzipDecoder() override {
    if (init_) inflateEnd(&z_);
  }

 protected:
  Status Decode(uint8_t* out, size_t n, size_t* produced) override {
    if (!init_) return Internal("inflateInit2 failed");
    if (ended_) return Status::Ok();
    size_t done = 0;
    while (done < n) {
      pending_ = done;
      if (in_->avail() == 0 && !in_->eof()) BLACKOUT_RETURN_IF_ERROR(in_->Refill());
      z_.next_in = const_cast<Bytef*>(in_->data());
      z_.avail_in = static_cast<uInt>(std::min<size_t>(in_->avail(), UINT32_MAX));
      z_.next_out = out + done;
      z_.avail_out = static_cast<uInt>(std::min<size_t>(n - done, UINT32_MAX));
      uInt in_before = z_.avail_in, out_before = z_.avail_out;
      int ret = inflate(&z_, Z_NO_FLUSH);
      in_->Consume(in_before - z_.avail_in);
      done += out_before - z_.avail_out;
      pending_ = done;
      if (ret == Z_STREAM_END) {
        // RFC 1952 section 2.2: a gzip file is a series of members.
        Result<bool> more = MoreInput();
        if (!more.ok()) return more.status();
        if (!*more) {
          ended_ = true;
          *produced = done;
          return Status::Ok();
        }
        if (in_->data()[0] != 0x1f) {
          *produced = done;
          return Corrupt("trailing garbage after gzip member");
        }
        inflateReset(&z_);
        continue;
      }
      if (ret == Z_OK) continue;
      if (ret == Z_BUF_ERROR && in_->avail() == 0 && in_->eof()) {
        *produced = done;
        return done > 0 ? Status::Ok() : Truncated();
      }
      if (ret == Z_BUF_ERROR) continue;
      *produced = done;
      return Corrupt(z_.msg != nullptr ? z_.msg : "inflate error " + std::to_string(ret));
    }
    *produced = done;
    return Status::Ok();
  }

 private:
  z_stream z_;
  bool init_ = false;
  bool ended_ = false;
};

class Bzip2Decoder : public Decoder {
 public:
  Bzip2Decoder(RawInput* in, std::string name) : Decoder(in, std::move(name), Compression::kBzip2) {
    Init();
  }
  ~Bzip2Decoder() override {
    if (init_) BZ2_bzDecompressEnd(&bz_);
  }

 protected:
  Status Decode(uint8_t* out, size_t n, size_t* produced) override {
    if (!init_) return Internal("BZ2_bzDecompressInit failed");
    if (ended_) return Status::Ok();
    size_t done = 0;
    while (done < n) {
      pending_ = done;
      if (in_->avail() == 0 && !in_->eof()) BLACKOUT_RETURN_IF_ERROR(in_->Refill());
      bz_.next_in = const_cast<char*>(reinterpret_cast<const char*>(in_->data()));
      bz_.avail_in = static_cast<unsigned>(std::min<size_t>(in_->avail(), UINT32_MAX));
      bz_.next_out = reinterpret_cast<char*>(out + done);
      bz_.avail_out = static_cast<unsigned>(std::min<size_t>(n - done, UINT32_MAX));
      unsigned in_before = bz_.avail_in, out_before = bz_.avail_out;
      int ret = BZ2_bzDecompress(&bz_);
      in_->Consume(in_before - bz_.avail_in);
      size_t got = out_before - bz_.avail_out;
      done += got;
      pending_ = done;
      if (ret == BZ_STREAM_END) {
        // Multi-stream files (bzip2 of concatenated parts, as some archives are) go on.
        Result<bool> more = MoreInput();
        if (!more.ok()) return more.status();
        if (!*more) {
          ended_ = true;
          *produced = done;
          return Status::Ok();
        }
        BZ2_bzDecompressEnd(&bz_);
        Init();
        if (!init_) return Internal("BZ2_bzDecompressInit failed");
        continue;
      }
      if (ret == BZ_OK) {
        if (got == 0 && in_before == bz_.avail_in && in_->avail() == 0 && in_->eof()) {
          *produced = done;
          return done > 0 ? Status::Ok() : Truncated();
        }
        continue;
      }
      *produced = done;
      return Corrupt(ret == BZ_DATA_ERROR_MAGIC ? "bad magic (trailing garbage?)"
                     : ret == BZ_DATA_ERROR     ? "data integrity error"
                     : ret == BZ_MEM_ERROR      ? "out of memory"
                                                : "BZ2_bzDecompress error " + std::to_string(ret));
    }
    *produced = done;
    return Status::Ok();
  }

 private:
  void Init() {
    std::memset(&bz_, 0, sizeof(bz_));
    init_ = BZ2_bzDecompressInit(&bz_, 0, 0) == BZ_OK;
  }
  bz_stream bz_;
  bool init_ = false;
  bool ended_ = false;
};

class XzDecoder : public Decoder {
 public:
  XzDecoder(RawInput* in, std::string name) : Decoder(in, std::move(name), Compression::kXz) {
    init_ = lzma_stream_decoder(&s_, UINT64_MAX, LZMA_CONCATENATED) == LZMA_OK;
  }
  ~XzDecoder() override { lzma_end(&s_); }

 protected:
  Status Decode(uint8_t* out, size_t n, size_t* produced) override {
    if (!init_) return Internal("lzma_stream_decoder failed");
    if (finished_) return Status::Ok();
    size_t done = 0;
    while (done < n) {
      pending_ = done;
      if (in_->avail() == 0 && !in_->eof()) BLACKOUT_RETURN_IF_ERROR(in_->Refill());
      s_.next_in = in_->data();
      s_.avail_in = in_->avail();
      s_.next_out = out + done;
      s_.avail_out = n - done;
      size_t in_before = s_.avail_in, out_before = s_.avail_out;
      lzma_action action = in_->eof() && in_->avail() == 0 ? LZMA_FINISH : LZMA_RUN;
      lzma_ret ret = lzma_code(&s_, action);
      in_->Consume(in_before - s_.avail_in);
      done += out_before - s_.avail_out;
      pending_ = done;
      if (ret == LZMA_STREAM_END) {
        *produced = done;
        finished_ = true;
        return Status::Ok();
      }
      if (ret == LZMA_OK) continue;
      *produced = done;
      if (ret == LZMA_BUF_ERROR) return done > 0 ? Status::Ok() : Truncated();
      return Corrupt(ret == LZMA_DATA_ERROR      ? "data error"
                     : ret == LZMA_FORMAT_ERROR  ? "format error (trailing garbage?)"
                     : ret == LZMA_OPTIONS_ERROR ? "unsupported options"
                     : ret == LZMA_MEM_ERROR     ? "out of memory"
                                                 : "lzma_code error " + std::to_string(ret));
    }
    *produced = done;
    return Status::Ok();
  }

 private:
  lzma_stream s_ = LZMA_STREAM_INIT;
  bool init_ = false;
  bool finished_ = false;
};

class ZstdDecoder : public Decoder {
 public:
  ZstdDecoder(RawInput* in, std::string name)
      : Decoder(in, std::move(name), Compression::kZstd), d_(ZSTD_createDStream()) {}
  ~ZstdDecoder() override { ZSTD_freeDStream(d_); }

 protected:
  Status Decode(uint8_t* out, size_t n, size_t* produced) override {
    if (d_ == nullptr) return Internal("ZSTD_createDStream failed");
    size_t done = 0;
    while (done < n) {
      pending_ = done;
      if (in_->avail() == 0 && !in_->eof()) BLACKOUT_RETURN_IF_ERROR(in_->Refill());
      ZSTD_inBuffer ib{in_->data(), in_->avail(), 0};
      ZSTD_outBuffer ob{out + done, n - done, 0};
      size_t ret = ZSTD_decompressStream(d_, &ob, &ib);
      in_->Consume(ib.pos);
      done += ob.pos;
      pending_ = done;
      if (ZSTD_isError(ret)) {
        *produced = done;
        return Corrupt(ZSTD_getErrorName(ret));
      }
      // ret == 0: a frame ended and is flushed; more frames may follow (RFC 8878 section 3.1).
      if (ib.pos > 0 || ob.pos > 0) frame_open_ = ret != 0;
      if (ib.pos == 0 && ob.pos == 0 && in_->avail() == 0 && in_->eof()) {
        *produced = done;
        if (done > 0 || !frame_open_) return Status::Ok();
        return Truncated();
      }
    }
    *produced = done;
    return Status::Ok();
  }

 private:
  ZSTD_DStream* d_;
  bool frame_open_ = false;
};

std::unique_ptr<Decoder> MakeDecoder(Compression c, RawInput* in, const std::string& name) {
  switch (c) {
    case Compression::kGzip:
      return std::make_unique<GzipDecoder>(in, name);
    case Compression::kBzip2:
      return std::make_unique<Bzip2Decoder>(in, name);
    case Compression::kXz:
      return std::make_unique<XzDecoder>(in, name);
    case Compression::kZstd:
      return std::make_unique<ZstdDecoder>(in, name);
    case Compression::kNone:
      break;
  }
  return std::make_unique<PlainDecoder>(in, name, Compression::kNone);
}

// Decodes on the caller's thread: memory input, and plain regular files (nothing to decompress, so
// nothing to overlap: reading straight into the caller's buffer saves a thread and a copy).
class SyncStream : public InputStream {
 public:
  SyncStream(std::string bytes, std::string name)
      : name_(std::move(name)), raw_(std::make_unique<RawInput>(std::move(bytes))) {
    (void)raw_->Fill(6);  // memory cannot fail
    c_ = DetectCompression({raw_->data(), raw_->avail()});
    decoder_ = MakeDecoder(c_, raw_.get(), name_);
    if (c_ == Compression::kNone) memory_ = {raw_->data(), raw_->avail()};
  }
  // `raw` has been filled and detected as `c`.
  SyncStream(std::unique_ptr<RawInput> raw, Compression c, std::string name)
      : name_(std::move(name)), raw_(std::move(raw)), c_(c) {
    decoder_ = MakeDecoder(c_, raw_.get(), name_);
  }
  Result<size_t> Read(uint8_t* buf, size_t n) override { return decoder_->Read(buf, n); }
  std::span<const uint8_t> in_memory() const override { return memory_; }
  Compression compression() const override { return c_; }
  const std::string& name() const override { return name_; }
  uint64_t raw_bytes_read() const override { return raw_->consumed(); }
  uint64_t raw_size() const override { return raw_->size(); }

 private:
  std::string name_;
  std::unique_ptr<RawInput> raw_;
  Compression c_;
  std::unique_ptr<Decoder> decoder_;
  std::span<const uint8_t> memory_;
};

// Decodes on its own thread into a bounded ring of chunks; the consumer copies out of the chunk at
// the head of the queue without taking the lock until it is used up.
class ThreadedStream : public InputStream {
 public:
  // `raw` has been filled and detected as `c`.
  ThreadedStream(std::unique_ptr<RawInput> raw, Compression c, std::string name)
      : name_(std::move(name)), raw_(std::move(raw)), c_(c) {}

  void Start() {
    decoder_ = MakeDecoder(c_, raw_.get(), name_);
    // Not zero-filled: the decoder overwrites what the consumer reads.
    for (size_t i = 0; i < kChunks; ++i) {
      free_.push_back(std::make_unique_for_overwrite<uint8_t[]>(kChunkSize));
    }
    thread_ = std::thread([this] { Produce(); });
  }

  ~ThreadedStream() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    raw_->Stop();
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  Result<size_t> Read(uint8_t* buf, size_t n) override {
    if (n == 0) return size_t{0};
    while (pos_ == cur_.size) {
      if (!final_.ok()) return final_;
      if (ended_) return size_t{0};
      NextChunk();
    }
    size_t k = std::min(n, cur_.size - pos_);
    std::memcpy(buf, cur_.data.get() + pos_, k);
    pos_ += k;
    return k;
  }

  Compression compression() const override { return c_; }
  const std::string& name() const override { return name_; }
  uint64_t raw_bytes_read() const override { return raw_->consumed(); }
  uint64_t raw_size() const override { return raw_->size(); }

 private:
  struct Chunk {
    std::unique_ptr<uint8_t[]> data;
    size_t size = 0;
    bool last = false;  // end of stream (clean when status is OK)
    Status status;
  };

  void NextChunk() {
    std::unique_lock<std::mutex> lock(mu_);
    if (cur_.data) free_.push_back(std::move(cur_.data));
    cv_.notify_all();
    cv_.wait(lock, [this] { return !full_.empty(); });
    cur_ = std::move(full_.front());
    full_.pop_front();
    pos_ = 0;
    if (cur_.last) {
      ended_ = true;
      final_ = cur_.status;
    }
  }

  void Produce() {
    for (;;) {
      Chunk chunk;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !free_.empty(); });
        if (stop_) return;
        chunk.data = std::move(free_.back());
        free_.pop_back();
      }
      Result<size_t> r = decoder_->Read(chunk.data.get(), kChunkSize);
      if (r.ok()) {
        chunk.size = *r;
        chunk.last = *r == 0;
      } else {
        chunk.last = true;
        chunk.status = r.status();
      }
      bool last = chunk.last;
      {
        std::lock_guard<std::mutex> lock(mu_);
        full_.push_back(std::move(chunk));
      }
      cv_.notify_all();
      if (last) return;
    }
  }

  std::string name_;
  bool stop_ = false;  // guarded by mu_
  std::unique_ptr<RawInput> raw_;
  Compression c_ = Compression::kNone;
  std::unique_ptr<Decoder> decoder_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<uint8_t[]>> free_;  // guarded by mu_
  std::deque<Chunk> full_;                        // guarded by mu_
  std::thread thread_;

  // Consumer-side state (no lock).
  Chunk cur_;
  size_t pos_ = 0;
  bool ended_ = false;
  Status final_;
};

}  // namespace

Result<std::unique_ptr<InputStream>> InputStream::Open(const std::string& path) {
  int fd;
  if (path == "-") {
    fd = STDIN_FILENO;
  } else {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      int e = errno;
      Status st(e == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                "cannot open: " + std::string(std::strerror(e)), Location{path, {}, {}, {}});
      return st;
    }
  }
  uint64_t size = 0;
  struct stat sb;
  if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
    size = static_cast<uint64_t>(sb.st_size);
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  } else if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    if (fd > 2) close(fd);
    return Status(StatusCode::kIoError, "is a directory", Location{path, {}, {}, {}});
  }
  std::string name = path == "-" ? "<stdin>" : path;
  auto raw = std::make_unique<RawInput>(fd, size);
  BLACKOUT_RETURN_IF_ERROR(raw->Fill(6).WithLocation(Location{name, 0, {}, {}}));
  const Compression c = DetectCompression({raw->data(), raw->avail()});
  if (c == Compression::kNone && size > 0) {
    return std::unique_ptr<InputStream>(std::make_unique<SyncStream>(std::move(raw), c, name));
  }
  auto stream = std::make_unique<ThreadedStream>(std::move(raw), c, std::move(name));
  stream->Start();
  return std::unique_ptr<InputStream>(std::move(stream));
}

std::unique_ptr<InputStream> InputStream::FromBytes(std::string bytes, std::string name) {
  return std::make_unique<SyncStream>(std::move(bytes), std::move(name));
}

}  // namespace blackout
