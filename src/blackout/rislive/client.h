// Client: a RIS Live WebSocket connection (ws:// or wss://) that subscribes with RIS Live's
// server-side filters and hands every text message to a callback, reconnecting with exponential
// back-off when the connection fails or goes quiet. The WebSocket framing, pings and TLS are
// Boost.Beast's over OpenSSL (docs/rislive.md "Client"); nothing here frames bytes by hand.
//
// Bounded: a message larger than max_message_bytes closes the connection (and is reported); the
// callback runs on the reading thread, so a slow consumer slows the reading (TCP pushes back, and
// RIS Live drops a client that falls too far behind: a reconnect, reported as a gap).
//
// Thread-safety: Run() blocks the calling thread; Stop() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "blackout/base/status.h"

namespace blackout::rislive {

// RIS Live's subscription filters (ris_subscribe's data; empty = not sent, i.e. everything).
struct Filters {
  std::string host;           // "rrc00"
  std::string type;           // "UPDATE", "RIS_PEER_STATE", "OPEN", "NOTIFICATION", "KEEPALIVE"
  std::string prefix;         // "193.0.0.0/16"; moreSpecific / lessSpecific apply to it
  bool more_specific = true;  // RIS Live's default
  bool less_specific = false;
  std::string peer;     // a peer's address
  std::string path;     // ASN or path pattern ("3333", "174,3333$")
  std::string require;  // "announcements" or "withdrawals"
};

// {"type":"ris_subscribe","data":{...filters, "socketOptions":{"includeRaw":true,
// "acknowledge":true}}}: raw BGP messages are asked for so UPDATEs decode through the MRT
// decoders, and the acknowledgement (ris_subscribe_ok) confirms the filters were taken.
std::string SubscribeMessage(const Filters& filters);

struct Url {
  bool tls = false;
  std::string host, port, target;  // target: path and query, "/v1/ws/?client=blackout"
};
// ws://HOST[:PORT][/PATH] or wss://...; IPv6 hosts in brackets. kInvalidArgument otherwise.
Result<Url> ParseUrl(std::string_view url);

inline constexpr std::string_view kDefaultUrl = "wss://ris-live.ripe.net/v1/ws/?client=blackout";

struct ClientOptions {
  std::string url = std::string(kDefaultUrl);
  Filters filters;
  std::chrono::milliseconds backoff_initial{1000};  // first wait after a failure, doubled up to
  std::chrono::milliseconds backoff_max{60000};     // this; reset by a connection that delivered
  std::chrono::seconds connect_timeout{15};         // resolve + TCP + TLS + WebSocket handshake
  // Nothing received for this long (Beast pings the server at half of it) ends the connection.
  std::chrono::seconds idle_timeout{60};
  size_t max_message_bytes = 1u << 20;
  std::string ca_file;  // PEM bundle to trust instead of the system's (tests' self-signed certs)
};

struct ClientCallbacks {
  // A text message (one RIS Live JSON message), valid for the call only.
  std::function<void(std::string_view message)> on_message;
  // The subscription was sent on a new connection (`connection` counts from 1).
  std::function<void(uint64_t connection)> on_connected;
  // The connection ended or could not be made; the next attempt is in `retry_in`.
  std::function<void(const Status& why, std::chrono::milliseconds retry_in)> on_disconnected;
};

class Client {
 public:
  Client(ClientOptions options, ClientCallbacks callbacks);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Connects, subscribes and reads until Stop(); reconnects after every failure. Returns OK after
  // Stop(), or kInvalidArgument for a URL it cannot use (nothing is retried then).
  Status Run();
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace blackout::rislive
