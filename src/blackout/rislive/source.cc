#include "blackout/rislive/source.h"

#include "blackout/base/log.h"

namespace blackout::rislive {

Source::Source(ClientOptions options, Sink& sink, ParserOptions parser)
    : options_(std::move(options)), sink_(sink), parser_(parser) {
  ClientCallbacks cb;
  cb.on_message = [this](std::string_view m) { Handle(m); };
  cb.on_connected = [this](uint64_t n) { Connected(n); };
  cb.on_disconnected = [this](const Status& why, std::chrono::milliseconds retry_in) {
    Disconnected(why, retry_in);
  };
  client_ = std::make_unique<Client>(options_, std::move(cb));
}

Source::~Source() = default;

Status Source::Run() { return client_->Run(); }
void Source::Stop() { client_->Stop(); }

SourceStats Source::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Source::Handle(std::string_view text) {
  ++in_connection_;
  delivered_ = true;
  auto m = parser_.Parse(text);
  std::lock_guard lock(mu_);
  ++stats_.messages;
  if (!m.ok()) {
    ++stats_.problems;
    stats_.last_problem =
        (connection_ == 0 ? "" : "connection " + std::to_string(connection_) + " ") + "message " +
        std::to_string(in_connection_) + ": " + m.status().message();
    log::Warn("ris-live: skipped ", stats_.last_problem);
    return;
  }
  const Message& msg = **m;
  switch (msg.kind) {
    case MessageKind::kUpdate:
    case MessageKind::kPeerState:
      (msg.kind == MessageKind::kUpdate ? stats_.updates : stats_.peer_states)++;
      stats_.elements += msg.elements.size();
      sink_.Apply(msg.collector, msg.elements);
      break;
    case MessageKind::kError:
      ++stats_.ris_errors;
      stats_.last_error = msg.error;
      log::Warn("ris-live: server error: ", msg.error);
      break;
    case MessageKind::kControl:
      if (msg.type == "ris_subscribe_ok") ++stats_.acknowledged;
      break;
    default:
      break;
  }
}

void Source::Connected(uint64_t connection) {
  std::unique_lock lock(mu_);
  connection_ = connection;
  in_connection_ = 0;
  delivered_ = false;
  stats_.connections = connection;
  stats_.connected = true;
  log::Info("ris-live: connected to ", options_.url, " (connection ", connection, ")");
  if (!in_gap_) return;
  in_gap_ = false;
  lock.unlock();
  sink_.GapEnded("ris-live " + options_.url + ": connection " + std::to_string(connection));
}

void Source::Disconnected(const Status& why, std::chrono::milliseconds retry_in) {
  std::string what;
  {
    std::lock_guard lock(mu_);
    ++stats_.disconnects;
    const bool was_connected = stats_.connected;
    stats_.connected = false;
    stats_.last_disconnect = why.message();
    if (was_connected) {
      in_gap_ = true;
      ++stats_.gaps;
      what = "ris-live " + options_.url + ": connection " + std::to_string(connection_) +
             " lost after " + std::to_string(in_connection_) + " messages (" + why.message() +
             "); updates until the next connection are missing";
    }
  }
  log::Warn("ris-live: ", why.message(), "; reconnecting in ", retry_in.count(), " ms");
  if (!what.empty()) sink_.Gap(what);
}

}  // namespace blackout::rislive
