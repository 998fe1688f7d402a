// A webhook receiver for tests, on loopback: a raw TCP server (so it can misbehave in ways an
// HTTP library would not) that answers each request as the script says: 500, a stall (no answer
// until the client gives up), garbage bytes, or 200. Records every request it read.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace blackout::notify::testing {

enum class Answer { kOk, kFail500, kStall, kGarbage };

struct Received {
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

class Receiver {
 public:
  // `script`: the answers to the first requests in order; kOk after them.
  explicit Receiver(std::vector<Answer> script, int port = 0) : script_(std::move(script)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 16) != 0) {
      close(fd_);
      fd_ = -1;
      return;
    }
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~Receiver() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) close(fd_);
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<Received> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }
  std::vector<Answer> answered() const {
    std::lock_guard lock(mu_);
    return answered_;
  }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      Serve(c);
      close(c);
    }
  }
  // Reads one request (headers, then Content-Length bytes); false if the client went away.
  bool Read(int c, Received* r) {
    std::string buf;
    char tmp[4096];
    size_t header_end = std::string::npos;
    while (header_end == std::string::npos) {
      pollfd p{c, POLLIN, 0};
      if (stop_ || poll(&p, 1, 2000) <= 0) return false;
      ssize_t n = recv(c, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      buf.append(tmp, static_cast<size_t>(n));
      header_end = buf.find("\r\n\r\n");
    }
    size_t pos = buf.find("\r\n") + 2;
    while (pos < header_end) {
      size_t eol = buf.find("\r\n", pos);
      std::string line = buf.substr(pos, eol - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        r->headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      }
      pos = eol + 2;
    }
    const size_t length =
        std::stoul(r->headers.count("content-length") ? r->headers["content-length"] : "0");
    r->body = buf.substr(header_end + 4);
    while (r->body.size() < length) {
      pollfd p{c, POLLIN, 0};
      if (stop_ || poll(&p, 1, 2000) <= 0) return false;
      ssize_t n = recv(c, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      r->body.append(tmp, static_cast<size_t>(n));
    }
    return true;
  }
  void Serve(int c) {
    Received r;
    if (!Read(c, &r)) return;
    Answer a;
    {
      std::lock_guard lock(mu_);
      const size_t i = received_.size();
      a = i < script_.size() ? script_[i] : Answer::kOk;
      received_.push_back(r);
      answered_.push_back(a);
    }
    auto send_all = [&](const std::string& s) { (void)send(c, s.data(), s.size(), MSG_NOSIGNAL); };
    switch (a) {
      case Answer::kOk:
        send_all("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        break;
      case Answer::kFail500:
        send_all(
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        break;
      case Answer::kGarbage:
        send_all("\x01\x02garbage that is no HTTP\r\n\r\n");
        break;
      case Answer::kStall: {
        // Hold the connection without answering until the client gives up (it closes).
        char tmp[256];
        while (!stop_) {
          pollfd p{c, POLLIN, 0};
          if (poll(&p, 1, 50) > 0 && recv(c, tmp, sizeof tmp, 0) <= 0) break;
        }
        break;
      }
    }
  }

  std::vector<Answer> script_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<Received> received_;
  std::vector<Answer> answered_;
};

}  // namespace blackout::notify::testing
