#include "blackout/ooni/gunzip.h"

#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "blackout/base/input.h"

namespace blackout::ooni {
namespace {

// Compressed bytes are read in blocks of this size (fewer syscalls, longer runs of inflate).
constexpr size_t kInBlock = 1 << 20;

const char* InflateError(int rc) {
  switch (rc) {
    case ISAL_INVALID_BLOCK:
      return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
      return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
      return "back-reference before the start of the data";
    case ISAL_INVALID_WRAPPER:
      return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
      return "compression method is not deflate";
    case ISAL_INCORRECT_CHECKSUM:
      return "CRC-32 or length check failed";
    default:
      return "inflate error";
  }
}

}  // namespace

struct GzipFile::State {
  std::string path;
  int fd = -1;
  std::vector<uint8_t> in = std::vector<uint8_t>(kInBlock);
  uint64_t read_total = 0;  // compressed bytes read from the file
  uint64_t produced = 0;    // decompressed bytes returned
  bool eof = false;
  bool done = false;
  Status error;
  inflate_state z;

  uint64_t Consumed() const { return read_total - z.avail_in; }

  Status Damage(const std::string& what) const {
    return DataLoss("gzip stream " + what + " at compressed byte " + std::to_string(Consumed()) +
                    " (" + std::to_string(produced) + " bytes decompressed)")
        .WithLocation(Location{path, Consumed(), {}, {}});
  }

  // REQUIRES: z.avail_in == 0. Reads the next block; sets eof at the end of the file.
  Status Refill() {
    for (;;) {
      ssize_t k = ::read(fd, in.data(), in.size());
      if (k < 0 && errno == EINTR) continue;
      if (k < 0) return IoError(path + ": read: " + std::strerror(errno));
      z.next_in = in.data();
      z.avail_in = static_cast<uint32_t>(k);
      read_total += static_cast<uint64_t>(k);
      if (k == 0) eof = true;
      return Status::Ok();
    }
  }

  void Reset() {
    isal_inflate_init(&z);
    z.crc_flag = ISAL_GZIP;
  }

  // One step of Read: inflates into out[0..n), setting *got. Returns false when Read must stop
  // (output full, end of file, or damage recorded in `error`).
  bool Step(uint8_t* out, size_t n, size_t* got) {
    if (z.avail_in == 0 && !eof) {
      if (Status st = Refill(); !st.ok()) {
        error = st;
        return false;
      }
    }
    if (eof && read_total == 0) {  // an empty file: nothing, and nothing lost
      done = true;
      return false;
    }
    z.next_out = out;
    z.avail_out = static_cast<uint32_t>(n);
    const uint32_t in_before = z.avail_in;
    int rc = isal_inflate(&z);
    *got = n - z.avail_out;
    produced += *got;
    if (rc != ISAL_DECOMP_OK) {
      error = Damage(InflateError(rc));
      return false;
    }
    if (z.block_state == ISAL_BLOCK_FINISH) return NextMember();
    if (z.avail_in == 0 && eof) {
      error = Damage("truncated");
      return false;
    }
    // No input taken and no output given with room on both sides: inflate cannot go on.
    if (*got == 0 && in_before == z.avail_in && z.avail_in > 0) {
      error = Damage("stuck");
      return false;
    }
    return z.avail_out > 0;
  }

  // After a member's trailer: RFC 1952 section 2.2 allows another member to follow.
  bool NextMember() {
    if (z.avail_in == 0 && !eof) {
      if (Status st = Refill(); !st.ok()) {
        error = st;
        return false;
      }
    }
    if (z.avail_in == 0) {
      done = true;
      return false;
    }
    if (z.next_in[0] != 0x1f) {
      error = Damage("followed by garbage");
      return false;
    }
    uint8_t* next = z.next_in;
    uint32_t avail = z.avail_in;
    Reset();
    z.next_in = next;
    z.avail_in = avail;
    return true;
  }
};

GzipFile::GzipFile(std::unique_ptr<State> state) : s_(std::move(state)) {}

GzipFile::~GzipFile() {
  if (s_ && s_->fd >= 0) ::close(s_->fd);
}

Result<std::unique_ptr<GzipFile>> GzipFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound(path + ": no such file");
    return IoError(path + ": " + std::strerror(errno));
  }
  auto state = std::make_unique<State>();
  state->path = path;
  state->fd = fd;
  state->Reset();
  state->z.next_in = state->in.data();
  state->z.avail_in = 0;
  return std::unique_ptr<GzipFile>(new GzipFile(std::move(state)));
}

Result<size_t> GzipFile::Read(uint8_t* out, size_t n) {
  State& s = *s_;
  size_t total = 0;
  while (s.error.ok() && !s.done && total < n) {
    size_t got = 0;
    const size_t want = std::min<size_t>(n - total, UINT32_MAX);
    const bool more = s.Step(out + total, want, &got);
    total += got;
    if (!more) break;
  }
  if (total > 0) return total;
  if (!s.error.ok()) return s.error;
  return size_t{0};
}

bool LooksGzipped(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  uint8_t magic[2] = {0, 0};
  const ssize_t k = ::read(fd, magic, 2);
  ::close(fd);
  return k == 2 && DetectCompression(magic) == Compression::kGzip;  // base/input.h's rule
}

}  // namespace blackout::ooni
