#include "blackout/probe/raw_socket.h"

#include <linux/icmp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace blackout::probe {
namespace {
constexpr size_t kBatch = 64;
constexpr size_t kMaxDatagram = 256;  // our replies are 36 bytes plus IP options
}  // namespace

Result<std::unique_ptr<RawSocketIo>> RawSocketIo::Open(Clock& clock) {
  int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  if (fd < 0) {
    int err = errno;
    if (err == EPERM || err == EACCES) {
      return Status(StatusCode::kPermissionDenied,
                    "raw ICMP socket needs CAP_NET_RAW (run as root, or `setcap cap_net_raw+ep` "
                    "on the blackout-full executable, which runs `blackout probe`): " +
                        std::string(std::strerror(err)));
    }
    return IoError(std::string("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP): ") + std::strerror(err));
  }
  // Only echo replies reach us (ICMP_FILTER's bits name the types to drop).
  icmp_filter filter{};
  filter.data = ~(1u << ICMP_ECHOREPLY);
  setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter);
  int size = 32 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  }
  return std::unique_ptr<RawSocketIo>(new RawSocketIo(clock, fd));
}

RawSocketIo::~RawSocketIo() { close(fd_); }

Status RawSocketIo::Send(std::span<const Echo> requests) {
  std::array<std::array<uint8_t, kEchoSize>, kBatch> bufs;
  std::array<sockaddr_in, kBatch> addrs;
  std::array<iovec, kBatch> iov;
  std::array<mmsghdr, kBatch> msgs;
  while (!requests.empty()) {
    size_t n = std::min(kBatch, requests.size());
    for (size_t i = 0; i < n; ++i) {
      BuildEchoRequest(requests[i], bufs[i]);
      addrs[i] = {};
      addrs[i].sin_family = AF_INET;
      addrs[i].sin_addr.s_addr = htonl(requests[i].addr);
      iov[i] = {bufs[i].data(), kEchoSize};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_name = &addrs[i];
      msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    size_t done = 0;
    int stalls = 0;
    while (done < n) {
      int r = sendmmsg(fd_, msgs.data() + done, static_cast<unsigned>(n - done), 0);
      if (r > 0) {
        done += static_cast<size_t>(r);
        counters_.sent += static_cast<uint64_t>(r);
        continue;
      }
      int err = errno;
      if (err == EINTR) continue;
      if ((err == EAGAIN || err == ENOBUFS) && stalls++ < 10) {
        pollfd p{fd_, POLLOUT, 0};
        poll(&p, 1, 1);
        continue;
      }
      if (err == EPERM || err == EACCES) {
        return Status(
            StatusCode::kPermissionDenied,
            std::string("sendmmsg refused (firewall or capability): ") + std::strerror(err));
      }
      // Unreachable destination, full buffers: this packet is lost, the probe will time out.
      ++counters_.send_errors;
      ++done;
    }
    requests = requests.subspan(n);
  }
  return Status::Ok();
}

void RawSocketIo::Drain(std::vector<Echo>& out) {
  std::array<std::array<uint8_t, kMaxDatagram>, kBatch> bufs;
  std::array<iovec, kBatch> iov;
  std::array<mmsghdr, kBatch> msgs;
  for (;;) {
    for (size_t i = 0; i < kBatch; ++i) {
      iov[i] = {bufs[i].data(), kMaxDatagram};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int r = recvmmsg(fd_, msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (r <= 0) return;
    for (int i = 0; i < r; ++i) {
      Echo e;
      auto len = std::min<size_t>(msgs[i].msg_len, kMaxDatagram);
      if (ParseEchoReply(std::span<const uint8_t>(bufs[i].data(), len), &e) == ParseResult::kOk) {
        ++counters_.received;
        out.push_back(e);
      } else {
        ++counters_.not_echo;
      }
    }
    if (static_cast<size_t>(r) < kBatch) return;
  }
}

Status RawSocketIo::Receive(int64_t deadline_ns, std::vector<Echo>& out) {
  size_t before = out.size();
  Drain(out);
  if (out.size() > before) return Status::Ok();
  int64_t wait = deadline_ns - clock_.Now();
  if (wait > 0) {
    pollfd p{fd_, POLLIN, 0};
    timespec ts{static_cast<time_t>(wait / kNanosPerSecond),
                static_cast<long>(wait % kNanosPerSecond)};
    int r = ppoll(&p, 1, &ts, nullptr);
    if (r < 0 && errno != EINTR) return IoError(std::string("ppoll: ") + std::strerror(errno));
    if (r > 0) Drain(out);
  }
  return Status::Ok();
}

}  // namespace blackout::probe
