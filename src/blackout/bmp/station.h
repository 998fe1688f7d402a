// Station: the BMP monitoring station (RFC 7854 §3.2: routers connect to it). Listens on TCP
// addresses, accepts any number of routers at once (up to a limit) and runs one Session per
// connection on its own thread, feeding the shared bgp::LiveView.
//
// Bad input never reaches other sessions: each session's buffer is bounded (one message of at
// most kMaxMessageBytes), each gets at most `read_chunk` bytes per round so a flooding router
// is slowed by TCP back-pressure instead of starving the others, and a session is closed with a
// log line and a counted reason when it sends garbage (not BMP v3), stalls inside a message,
// or disconnects. A closed session's peers go down in the view. A router has one session: when an
// Initiation names a router that an older open session already serves (it reconnected before the
// old connection was seen dead), the older session is closed first (`closed_replaced`), so its
// end cannot drop the routes the new session announces. Thread-safety: Start/Stop from one
// thread; stats() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/bgp/live.h"

namespace blackout::bmp {

class Session;

struct StationOptions {
  std::vector<std::string> listen = {"0.0.0.0:11019"};  // HOST:PORT, [V6]:PORT; port 0 = any
  size_t max_sessions = 256;
  // A message begun and not completed within this time: the session is closed as stalled. BMP
  // has no keepalive, so a session idle between messages is never closed.
  std::chrono::milliseconds stall{std::chrono::seconds(120)};
  size_t read_chunk = 256 * 1024;
};

// Counters since Start (gauges: sessions_open, peers).
struct StationStats {
  uint64_t sessions_accepted = 0, sessions_open = 0, sessions_refused = 0;
  uint64_t closed_garbage = 0, closed_stalled = 0, closed_disconnect = 0, closed_terminated = 0;
  uint64_t closed_replaced = 0;
  uint64_t bytes = 0, messages = 0, route_monitoring = 0, elements = 0, problems = 0;
  uint64_t peer_ups = 0, peer_downs = 0, mirroring_skipped = 0;
};

// "HOST:PORT" split (IPv6 in brackets); kInvalidArgument otherwise.
Status ParseListen(const std::string& text, std::string* host, int* port);

class Station {
 public:
  Station(StationOptions options, bgp::LiveView* view);
  ~Station();
  Station(const Station&) = delete;
  Station& operator=(const Station&) = delete;

  // Binds every listen address and starts the session thread.
  Status Start();
  // Closes every session (their peers go down) and the listeners; joins the thread.
  void Stop();
  // The bound ports, in the order of options.listen (after Start).
  const std::vector<int>& ports() const { return ports_; }
  StationStats stats() const;

 private:
  struct Counters;
  struct Conn;
  void Loop();
  void Accept(int listener);
  // Returns false when the connection was closed.
  bool Read(Conn& c);
  void CloseConn(Conn& c, std::atomic<uint64_t>& reason, const std::string& why);
  // Closes the other open sessions of `session`'s router.
  void Replace(const Session& session);

  StationOptions options_;
  bgp::LiveView* view_;
  std::vector<int> listeners_, ports_;
  int wake_[2] = {-1, -1};
  std::vector<std::unique_ptr<Conn>> conns_;
  std::unique_ptr<Counters> counters_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace blackout::bmp
