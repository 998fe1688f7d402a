#include "blackout/darknet/capture.h"

#include <pcap/pcap.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>

#include "blackout/base/input.h"

namespace blackout::darknet {
namespace {

// A FILE* reading an InputStream (glibc's fopencookie), so libpcap reads decompressed bytes. The
// stream's error, if any, is kept for Next() to report.
struct Cookie {
  std::unique_ptr<InputStream> in;
  Status error;
  uint64_t delivered = 0;
};

ssize_t CookieRead(void* c, char* buf, size_t n) {
  auto* cookie = static_cast<Cookie*>(c);
  auto got = cookie->in->Read(reinterpret_cast<uint8_t*>(buf), n);
  if (!got.ok()) {
    cookie->error = got.status();
    return 0;  // end of the good bytes: libpcap sees a truncated file
  }
  cookie->delivered += *got;
  return static_cast<ssize_t>(*got);
}

int CookieClose(void*) { return 0; }

}  // namespace

struct PacketSource::Impl {
  pcap_t* pcap = nullptr;
  std::unique_ptr<Cookie> cookie;
  FILE* file = nullptr;  // the cookie stream (libpcap closes it with pcap_close)
  uint64_t file_size = 0;
  bool live = false;
  Status failed;  // once a file read failed, every later Next() returns it
  ~Impl() {
    if (pcap) pcap_close(pcap);
  }
};

PacketSource::PacketSource() : impl_(std::make_unique<Impl>()) {}
PacketSource::~PacketSource() = default;

Result<std::unique_ptr<PacketSource>> PacketSource::OpenFile(const std::string& path) {
  BLACKOUT_ASSIGN_OR_RETURN(std::unique_ptr<InputStream> in, InputStream::Open(path));
  std::unique_ptr<PacketSource> s(new PacketSource());
  s->name_ = path;
  char err[PCAP_ERRBUF_SIZE] = {0};
  Location where;
  where.file = path;
  if (in->compression() == Compression::kNone && path != "-") {
    in.reset();
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) s->impl_->file_size = static_cast<uint64_t>(st.st_size);
    s->impl_->pcap =
        pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO, err);
  } else {
    s->impl_->cookie = std::make_unique<Cookie>();
    s->impl_->cookie->in = std::move(in);
    cookie_io_functions_t io{};
    io.read = CookieRead;
    io.close = CookieClose;
    s->impl_->file = fopencookie(s->impl_->cookie.get(), "r", io);
    if (!s->impl_->file) return IoError("cannot open a stream over " + path);
    setvbuf(s->impl_->file, nullptr, _IOFBF, 1 << 18);
    s->impl_->pcap =
        pcap_fopen_offline_with_tstamp_precision(s->impl_->file, PCAP_TSTAMP_PRECISION_MICRO, err);
    if (!s->impl_->pcap) fclose(s->impl_->file);
  }
  if (!s->impl_->pcap) {
    return Status(StatusCode::kDataLoss, std::string("not a pcap or pcapng capture: ") + err,
                  where);
  }
  s->link_ = pcap_datalink(s->impl_->pcap);
  return s;
}

Result<std::unique_ptr<PacketSource>> PacketSource::OpenLive(const std::string& interface,
                                                             const LiveOptions& options) {
  std::unique_ptr<PacketSource> s(new PacketSource());
  s->name_ = "if:" + interface;
  s->impl_->live = true;
  char err[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* p = pcap_create(interface.c_str(), err);
  if (!p) return Unavailable("capture on " + interface + ": " + err);
  s->impl_->pcap = p;
  pcap_set_snaplen(p, options.snaplen);
  pcap_set_promisc(p, options.promiscuous ? 1 : 0);
  pcap_set_timeout(p, options.timeout_ms);
  pcap_set_buffer_size(p, options.buffer_bytes);
  pcap_set_immediate_mode(p, 1);
  int rc = pcap_activate(p);
  if (rc < 0) {
    std::string why = "capture on " + interface + ": " + pcap_statustostr(rc);
    if (rc == PCAP_ERROR) why += std::string(" (") + pcap_geterr(p) + ")";
    if (rc == PCAP_ERROR_PERM_DENIED) return Status(StatusCode::kPermissionDenied, why);
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE) return NotFound(why);
    return Unavailable(why);
  }
  s->link_ = pcap_datalink(p);
  return s;
}

Status CheckBpf(const std::string& bpf) {
  if (bpf.empty()) return Status::Ok();
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
  if (!dead) return Internal("pcap_open_dead failed");
  bpf_program prog{};
  Status st;
  if (pcap_compile(dead, &prog, bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    st = InvalidArgument("BPF filter '" + bpf + "': " + pcap_geterr(dead));
  } else {
    pcap_freecode(&prog);
  }
  pcap_close(dead);
  return st;
}

Status PacketSource::SetFilter(const std::string& bpf) {
  if (bpf.empty()) return Status::Ok();
  bpf_program prog{};
  if (pcap_compile(impl_->pcap, &prog, bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    return InvalidArgument("BPF filter '" + bpf + "': " + pcap_geterr(impl_->pcap));
  }
  int rc = pcap_setfilter(impl_->pcap, &prog);
  pcap_freecode(&prog);
  if (rc != 0) return InvalidArgument("BPF filter '" + bpf + "': " + pcap_geterr(impl_->pcap));
  return Status::Ok();
}

Result<bool> PacketSource::Next(CapturedPacket* out) {
  if (!impl_->failed.ok()) return impl_->failed;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(impl_->pcap, &header, &data);
  if (rc == 1) {
    ++packets_;
    out->time = header->ts.tv_sec;
    out->micros = static_cast<uint32_t>(header->ts.tv_usec);
    out->bytes = {data, header->caplen};
    return true;
  }
  if (rc == 0 || rc == PCAP_ERROR_BREAK) {
    if (impl_->cookie && !impl_->cookie->error.ok()) {  // the decompressor's end, not the file's
      impl_->failed = impl_->cookie->error;
      return impl_->failed;
    }
    return false;
  }
  // A damaged capture: report where reading stopped and what is left.
  Location where;
  where.file = name_;
  where.record = packets_ + 1;
  std::string what = std::string("capture damaged after ") + std::to_string(packets_) +
                     " good packets: " + pcap_geterr(impl_->pcap);
  if (impl_->cookie) {
    where.offset = impl_->cookie->delivered;
    if (!impl_->cookie->error.ok()) what += " (" + impl_->cookie->error.message() + ")";
  } else if (FILE* f = pcap_file(impl_->pcap)) {
    long at = std::ftell(f);
    if (at >= 0) {
      where.offset = static_cast<uint64_t>(at);
      if (impl_->file_size > static_cast<uint64_t>(at)) {
        what += "; " + std::to_string(impl_->file_size - static_cast<uint64_t>(at)) +
                " bytes after it not read";
      }
    }
  }
  impl_->failed = Status(StatusCode::kDataLoss, what, where);
  return impl_->failed;
}

void PacketSource::Interrupt() {
  if (impl_->pcap) pcap_breakloop(impl_->pcap);
}

uint64_t PacketSource::kernel_drops() const {
  if (!impl_->live) return 0;
  pcap_stat st{};
  if (pcap_stats(impl_->pcap, &st) != 0) return 0;
  return st.ps_drop;
}

}  // namespace blackout::darknet
