#include "blackout/rislive/client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <type_traits>

namespace blackout::rislive {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using asio::use_awaitable;

using PlainStream = websocket::stream<beast::tcp_stream>;
using TlsStream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace

std::string SubscribeMessage(const Filters& f) {
  nlohmann::json data = nlohmann::json::object();
  auto put = [&](const char* key, const std::string& value) {
    if (!value.empty()) data[key] = value;
  };
  put("host", f.host);
  put("type", f.type);
  put("prefix", f.prefix);
  if (!f.prefix.empty()) {
    data["moreSpecific"] = f.more_specific;
    data["lessSpecific"] = f.less_specific;
  }
  put("peer", f.peer);
  put("path", f.path);
  put("require", f.require);
  data["socketOptions"] = {{"includeRaw", true}, {"acknowledge", true}};
  return nlohmann::json{{"type", "ris_subscribe"}, {"data", data}}.dump();
}

Result<Url> ParseUrl(std::string_view text) {
  Url u;
  std::string_view rest;
  if (text.starts_with("wss://")) {
    u.tls = true;
    rest = text.substr(6);
  } else if (text.starts_with("ws://")) {
    rest = text.substr(5);
  } else {
    return InvalidArgument("RIS Live URL must start with ws:// or wss://: " + std::string(text));
  }
  const size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (u.target[0] == '?') u.target.insert(0, "/");
  std::string_view port;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return InvalidArgument("bad IPv6 host in " + std::string(text));
    u.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return InvalidArgument("bad host in " + std::string(text));
      port = authority.substr(close + 2);
    }
  } else {
    const size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return InvalidArgument("no host in " + std::string(text));
  if (port.empty()) {
    u.port = u.tls ? "443" : "80";
  } else {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
      return InvalidArgument("bad port in " + std::string(text));
    }
    u.port = std::string(port);
  }
  return u;
}

class Client::Impl {
 public:
  Impl(ClientOptions o, ClientCallbacks cb)
      : options_(std::move(o)), cb_(std::move(cb)), ssl_(asio::ssl::context::tls_client) {}

  Status Run() {
    BLACKOUT_ASSIGN_OR_RETURN(url_, ParseUrl(options_.url));
    if (url_.tls) BLACKOUT_RETURN_IF_ERROR(SetUpTls());
    subscribe_ = SubscribeMessage(options_.filters);
    const bool ipv6 = url_.host.find(':') != std::string::npos;
    host_header_ = (ipv6 ? "[" + url_.host + "]" : url_.host);
    if (url_.port != (url_.tls ? "443" : "80")) host_header_ += ":" + url_.port;
    if (stop_) return Status::Ok();
    asio::co_spawn(ioc_, Loop(), asio::detached);
    ioc_.run();
    return Status::Ok();
  }

  void Stop() {
    stop_ = true;
    ioc_.stop();
  }

 private:
  Status SetUpTls() {
    boost::system::error_code ec;
    if (options_.ca_file.empty()) {
      ssl_.set_default_verify_paths(ec);
    } else {
      ssl_.load_verify_file(options_.ca_file, ec);
    }
    if (ec) return InvalidArgument("TLS trust store: " + ec.message());
    ssl_.set_verify_mode(asio::ssl::verify_peer);
    return Status::Ok();
  }

  asio::awaitable<void> Loop() {
    std::chrono::milliseconds backoff = options_.backoff_initial;
    asio::steady_timer timer(ioc_);
    while (!stop_) {
      bool delivered = false;
      Status why;
      try {
        if (url_.tls) {
          co_await Session<TlsStream>(&delivered);
        } else {
          co_await Session<PlainStream>(&delivered);
        }
        why = Unavailable("connection closed");
      } catch (const boost::system::system_error& e) {
        why = Unavailable(e.code() == websocket::error::closed ? "closed by the server"
                                                               : e.code().message());
      } catch (const std::exception& e) {
        why = Unavailable(e.what());
      }
      if (stop_) break;
      if (delivered) backoff = options_.backoff_initial;
      if (cb_.on_disconnected) cb_.on_disconnected(why, backoff);
      timer.expires_after(backoff);
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
      backoff = std::min(backoff * 2, options_.backoff_max);
    }
  }

  // One connection: connect (TLS), WebSocket handshake, subscribe, read until it ends.
  template <typename Stream>
  asio::awaitable<void> Session(bool* delivered) {
    tcp::resolver resolver(ioc_);
    auto endpoints = co_await resolver.async_resolve(url_.host, url_.port, use_awaitable);
    std::optional<Stream> holder;
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      holder.emplace(ioc_, ssl_);
    } else {
      holder.emplace(ioc_);
    }
    Stream& ws = *holder;
    auto& tcp_layer = beast::get_lowest_layer(ws);
    tcp_layer.expires_after(options_.connect_timeout);
    co_await tcp_layer.async_connect(endpoints, use_awaitable);
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      auto& tls = ws.next_layer();
      if (!SSL_set_tlsext_host_name(tls.native_handle(), url_.host.c_str())) {
        throw boost::system::system_error(static_cast<int>(ERR_get_error()),
                                          asio::error::get_ssl_category());
      }
      tls.set_verify_callback(asio::ssl::host_name_verification(url_.host));
      co_await tls.async_handshake(asio::ssl::stream_base::client, use_awaitable);
    }
    tcp_layer.expires_never();  // the WebSocket's own timeouts from here on
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = options_.connect_timeout;
    timeouts.idle_timeout = options_.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws.set_option(timeouts);
    ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "blackout (issue 17 RIS Live client)");
    }));
    ws.read_message_max(options_.max_message_bytes);
    co_await ws.async_handshake(host_header_, url_.target, use_awaitable);
    ws.text(true);
    co_await ws.async_write(asio::buffer(subscribe_), use_awaitable);
    if (cb_.on_connected) cb_.on_connected(++connections_);
    beast::flat_buffer buffer;
    while (!stop_) {
      buffer.clear();
      co_await ws.async_read(buffer, use_awaitable);
      *delivered = true;
      const auto data = buffer.data();
      if (cb_.on_message) {
        cb_.on_message(std::string_view(static_cast<const char*>(data.data()), data.size()));
      }
    }
  }

  ClientOptions options_;
  ClientCallbacks cb_;
  Url url_;
  std::string subscribe_, host_header_;
  asio::io_context ioc_{1};
  asio::ssl::context ssl_;
  std::atomic<bool> stop_{false};
  uint64_t connections_ = 0;
};

Client::Client(ClientOptions options, ClientCallbacks callbacks)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(callbacks))) {}
Client::~Client() = default;
Status Client::Run() { return impl_->Run(); }
void Client::Stop() { impl_->Stop(); }

}  // namespace blackout::rislive
