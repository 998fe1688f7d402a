// Source: RIS Live as a live BGP source. A Client's messages go through a Parser into a Sink
// (the live routing view, bgp/live.h, in `blackout run`): UPDATE and RIS_PEER_STATE elements are
// applied under the collector's archive name, malformed messages are logged and counted, never
// fatal, ris_error messages are logged and counted, and a lost connection is reported to the sink
// as a gap. docs/rislive.md says how the view recovers from a gap and why a RIS peer is one peer
// whether it is seen live or in RIS's archives.
//
// Thread-safety: Run() blocks its thread; Stop() and stats() may be called from any thread.
// Handle() is for replays and tests, on one thread, not while Run() is running.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "blackout/mrt/element.h"
#include "blackout/rislive/client.h"
#include "blackout/rislive/parser.h"

namespace blackout::rislive {

// Where the elements go. bgp::LiveView has this shape; the service adapts it.
class Sink {
 public:
  virtual ~Sink() = default;
  // One message's elements (all from one peer of `collector`), applied at once.
  virtual void Apply(std::string_view collector, std::span<const mrt::Element> elements) = 0;
  // Updates may have been missed from now on; `what` says where and why.
  virtual void Gap(std::string_view what) = 0;
  // Messages arrive again after a Gap() (a new connection); what was missed stays missed.
  virtual void GapEnded(std::string_view what) { (void)what; }
};

struct SourceStats {
  uint64_t connections = 0;  // subscriptions sent (connections made)
  uint64_t disconnects = 0;  // connections lost or attempts failed
  uint64_t gaps = 0;         // connections lost after they had delivered messages
  uint64_t messages = 0, elements = 0, problems = 0, ris_errors = 0;
  uint64_t updates = 0, peer_states = 0, acknowledged = 0;  // ris_subscribe_ok received
  bool connected = false;
  std::string last_problem;  // "connection N message M: why"
  std::string last_error;    // the last ris_error's text
  std::string last_disconnect;
};

class Source {
 public:
  Source(ClientOptions options, Sink& sink, ParserOptions parser = {});
  ~Source();
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;

  Status Run();  // see Client::Run
  void Stop();
  SourceStats stats() const;

  // Handles one message as if received on the current connection.
  void Handle(std::string_view message);

 private:
  void Connected(uint64_t connection);
  void Disconnected(const Status& why, std::chrono::milliseconds retry_in);

  ClientOptions options_;
  Sink& sink_;
  Parser parser_;
  std::unique_ptr<Client> client_;
  mutable std::mutex mu_;  // guards stats_
  SourceStats stats_;
  uint64_t connection_ = 0, in_connection_ = 0;  // messages on the current connection
  bool delivered_ = false;                       // the current connection delivered a message
  bool in_gap_ = false;                          // a connection was lost and no new one made yet
};

}  // namespace blackout::rislive
