#include "blackout/bmp/station.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "blackout/base/log.h"
#include "blackout/bmp/session.h"

namespace blackout::bmp {

using SteadyClock = std::chrono::steady_clock;

struct Station::Counters {
  std::atomic<uint64_t> accepted{0}, open{0}, refused{0};
  std::atomic<uint64_t> garbage{0}, stalled{0}, disconnect{0}, terminated{0}, replaced{0};
  std::atomic<uint64_t> bytes{0}, messages{0}, route_monitoring{0}, elements{0}, problems{0};
  std::atomic<uint64_t> peer_ups{0}, peer_downs{0}, mirroring{0};
};

struct Station::Conn {
  int fd = -1;
  std::string address;
  std::unique_ptr<Session> session;
  SteadyClock::time_point partial_since{};
  SessionStats reported;  // what was already added to the counters
};

Status ParseListen(const std::string& text, std::string* host, int* port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgument("listen address '" + text + "' is not HOST:PORT");
  }
  *host = text.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  const std::string p = text.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(p) > 65535) {
    return InvalidArgument("listen address '" + text + "': bad port");
  }
  *port = std::stoi(p);
  return Status::Ok();
}

Station::Station(StationOptions options, bgp::LiveView* view)
    : options_(std::move(options)), view_(view), counters_(std::make_unique<Counters>()) {}

Station::~Station() { Stop(); }

Status Station::Start() {
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0)
    return IoError("pipe: " + std::string(strerror(errno)));
  for (const std::string& l : options_.listen) {
    std::string host;
    int port = 0;
    BLACKOUT_RETURN_IF_ERROR(ParseListen(l, &host, &port));
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    const std::string service = std::to_string(port);
    if (int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &res);
        rc != 0) {
      return InvalidArgument("BMP listen " + l + ": " + gai_strerror(rc));
    }
    const int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const bool bound =
        fd >= 0 && bind(fd, res->ai_addr, res->ai_addrlen) == 0 && listen(fd, 64) == 0;
    freeaddrinfo(res);
    if (!bound) {
      const std::string why = strerror(errno);
      if (fd >= 0) close(fd);
      return IoError("BMP listen " + l + ": " + why);
    }
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    ports_.push_back(ntohs(ss.ss_family == AF_INET6
                               ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                               : reinterpret_cast<sockaddr_in*>(&ss)->sin_port));
    listeners_.push_back(fd);
    log::Info("BMP station listening on ", host, ":", ports_.back());
  }
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void Station::Stop() {
  if (thread_.joinable()) {
    stop_ = true;
    const char b = 1;
    (void)!write(wake_[1], &b, 1);
    thread_.join();
  }
  for (int fd : listeners_) close(fd);
  listeners_.clear();
  for (int& fd : wake_) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
}

StationStats Station::stats() const {
  const Counters& c = *counters_;
  StationStats s;
  s.sessions_accepted = c.accepted;
  s.sessions_open = c.open;
  s.sessions_refused = c.refused;
  s.closed_garbage = c.garbage;
  s.closed_stalled = c.stalled;
  s.closed_disconnect = c.disconnect;
  s.closed_terminated = c.terminated;
  s.closed_replaced = c.replaced;
  s.bytes = c.bytes;
  s.messages = c.messages;
  s.route_monitoring = c.route_monitoring;
  s.elements = c.elements;
  s.problems = c.problems;
  s.peer_ups = c.peer_ups;
  s.peer_downs = c.peer_downs;
  s.mirroring_skipped = c.mirroring;
  return s;
}

void Station::Accept(int listener) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  const int fd =
      accept4(listener, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0) return;
  char host[NI_MAXHOST] = {}, serv[NI_MAXSERV] = {};
  getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, serv, sizeof serv,
              NI_NUMERICHOST | NI_NUMERICSERV);
  if (conns_.size() >= options_.max_sessions) {
    ++counters_->refused;
    log::Warn("BMP station: refusing router ", host, " port ", serv, ": ", conns_.size(),
              " sessions open (the limit)");
    close(fd);
    return;
  }
  auto c = std::make_unique<Conn>();
  c->fd = fd;
  c->address = host;
  c->session = std::make_unique<Session>(host, view_);
  c->session->set_on_router([this](Session& s) { Replace(s); });
  ++counters_->accepted;
  ++counters_->open;
  log::Info("BMP session from ", host, " port ", serv, " accepted");
  conns_.push_back(std::move(c));
}

void Station::CloseConn(Conn& c, std::atomic<uint64_t>& reason, const std::string& why) {
  ++reason;
  --counters_->open;
  const SessionStats& s = c.session->stats();
  log::Warn("BMP session ", c.session->router(), " (", c.address, ") closed: ", why, " after ",
            s.messages, " messages, ", s.elements, " routes");
  c.session->Close();
  counters_->peer_downs += c.session->stats().peers_down - c.reported.peers_down;
  close(c.fd);
  c.fd = -1;
}

void Station::Replace(const Session& session) {
  for (auto& other : conns_) {
    if (other->fd < 0 || other->session.get() == &session ||
        other->session->router() != session.router()) {
      continue;
    }
    CloseConn(*other, counters_->replaced,
              "replaced by a new session of the same router from " + session.address());
  }
}

bool Station::Read(Conn& c) {
  static thread_local std::vector<uint8_t> buf(64 * 1024);
  size_t budget = options_.read_chunk;
  while (budget > 0) {
    const ssize_t n = recv(c.fd, buf.data(), std::min(buf.size(), budget), 0);
    if (n == 0) {
      CloseConn(c, c.session->terminated() ? counters_->terminated : counters_->disconnect,
                c.session->terminated() ? "terminated by the router" : "router disconnected");
      return false;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      CloseConn(c, counters_->disconnect, std::string("read error: ") + strerror(errno));
      return false;
    }
    budget -= static_cast<size_t>(n);
    Status st = c.session->Feed(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)));
    const SessionStats& s = c.session->stats();
    counters_->bytes += s.bytes - c.reported.bytes;
    counters_->messages += s.messages - c.reported.messages;
    counters_->route_monitoring += s.by_type[0] - c.reported.by_type[0];
    counters_->elements += s.elements - c.reported.elements;
    counters_->problems += s.problems - c.reported.problems;
    counters_->peer_ups += s.peers_up - c.reported.peers_up;
    counters_->peer_downs += s.peers_down - c.reported.peers_down;
    counters_->mirroring += s.mirroring_skipped - c.reported.mirroring_skipped;
    c.reported = s;
    if (!st.ok()) {
      CloseConn(c, counters_->garbage, "garbage: " + st.message());
      return false;
    }
  }
  if (c.session->buffered() == 0) {
    c.partial_since = {};
  } else if (c.partial_since == SteadyClock::time_point{}) {
    c.partial_since = SteadyClock::now();
  }
  return true;
}

void Station::Loop() {
  std::vector<pollfd> fds;
  while (!stop_) {
    fds.clear();
    fds.push_back({wake_[0], POLLIN, 0});
    for (int l : listeners_) fds.push_back({l, POLLIN, 0});
    for (auto& c : conns_) fds.push_back({c->fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), 200) < 0 && errno != EINTR) {
      log::Error("BMP station: poll: ", strerror(errno));
      break;
    }
    for (size_t i = 0; i < listeners_.size(); ++i) {
      if (fds[1 + i].revents & POLLIN) Accept(listeners_[i]);
    }
    const size_t first = 1 + listeners_.size();
    const auto now = SteadyClock::now();
    for (size_t i = 0; i < conns_.size() && first + i < fds.size(); ++i) {
      Conn& c = *conns_[i];
      if (fds[first + i].revents & (POLLIN | POLLHUP | POLLERR)) {
        if (!Read(c)) continue;
      }
      if (c.partial_since != SteadyClock::time_point{} && now - c.partial_since > options_.stall) {
        CloseConn(c, counters_->stalled,
                  "stalled: " + std::to_string(c.session->buffered()) +
                      " bytes of a message and nothing more for " +
                      std::to_string(options_.stall.count()) + " ms");
      }
    }
    std::erase_if(conns_, [](const std::unique_ptr<Conn>& c) { return c->fd < 0; });
  }
  for (auto& c : conns_) {
    if (c->fd >= 0) {
      c->session->Close();
      close(c->fd);
      --counters_->open;
    }
  }
  conns_.clear();
}

}  // namespace blackout::bmp
