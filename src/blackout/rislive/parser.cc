#include "blackout/rislive/parser.h"

#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "blackout/mrt/reader.h"
#include "blackout/rislive/internal/json_update.h"
#include "blackout/rislive/internal/raw.h"

namespace blackout::rislive {
namespace {

namespace od = simdjson::ondemand;

constexpr uint8_t kEstablished = 6;  // RFC 4271 §8.2.2 FSM states
constexpr uint8_t kIdle = 1;

Status JsonError(simdjson::error_code e, std::string_view where) {
  return DataLoss("invalid JSON in " + std::string(where) + ": " + simdjson::error_message(e));
}

// A string field's value, or an error naming the field.
Status GetString(od::value v, std::string_view field, std::string_view* out) {
  if (auto e = v.get_string().get(*out)) return JsonError(e, field);
  return Status::Ok();
}

// peer_asn is a JSON string in RIS Live ("57695"); a number is accepted too.
Status GetAsn(od::value v, uint32_t* out) {
  od::json_type t;
  if (auto e = v.type().get(t)) return JsonError(e, "peer_asn");
  uint64_t n = 0;
  if (t == od::json_type::string) {
    std::string_view s;
    if (auto e = v.get_string().get(s)) return JsonError(e, "peer_asn");
    if (s.empty() || s.size() > 10)
      return DataLoss("peer_asn \"" + std::string(s) + "\" is not an ASN");
    for (char c : s) {
      if (c < '0' || c > '9') return DataLoss("peer_asn \"" + std::string(s) + "\" is not an ASN");
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
  } else if (auto e = v.get_uint64().get(n)) {
    return JsonError(e, "peer_asn");
  }
  if (n > UINT32_MAX) return DataLoss("peer_asn " + std::to_string(n) + " beyond 32 bits");
  *out = static_cast<uint32_t>(n);
  return Status::Ok();
}

// The fields of a message's `data` object, as read in one pass.
struct Fields {
  std::string_view type, host, peer, id, raw, state, message;
  bool has_timestamp = false, has_asn = false, json_read = false;
  double timestamp = 0;
  uint32_t asn = 0;
};

}  // namespace

const char* MessageKindName(MessageKind kind) {
  switch (kind) {
    case MessageKind::kUpdate:
      return "UPDATE";
    case MessageKind::kPeerState:
      return "RIS_PEER_STATE";
    case MessageKind::kOpen:
      return "OPEN";
    case MessageKind::kNotification:
      return "NOTIFICATION";
    case MessageKind::kKeepalive:
      return "KEEPALIVE";
    case MessageKind::kRouteRefresh:
      return "ROUTE_REFRESH";
    case MessageKind::kError:
      return "ris_error";
    case MessageKind::kControl:
      return "control";
  }
  return "?";
}

std::string CollectorName(std::string_view host) {
  std::string out(host);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  constexpr std::string_view kSuffix = ".ripe.net";
  if (out.size() > kSuffix.size() && out.ends_with(kSuffix))
    out.resize(out.size() - kSuffix.size());
  return out;
}

std::string LineProblem::ToString() const { return "line " + std::to_string(line) + ": " + what; }

class Parser::Impl {
 public:
  explicit Impl(ParserOptions o) : options_(o) {}

  Result<const Message*> Parse(const char* data, size_t len, size_t capacity) {
    if (len > options_.max_message_bytes) {
      return DataLoss("message of " + std::to_string(len) + " bytes exceeds the limit of " +
                      std::to_string(options_.max_message_bytes));
    }
    od::document doc;
    if (auto e = parser_.iterate(data, len, capacity).get(doc)) return JsonError(e, "message");
    Fields f;
    std::string_view top_type;
    Status st = ReadTop(doc, &f, &top_type);
    if (!st.ok()) return st;
    // After the top object only white space may follow: no current location is left then.
    const char* rest = nullptr;
    if (doc.current_location().get(rest) == simdjson::SUCCESS) {
      return DataLoss("invalid JSON: content after the message");
    }
    st = Build(top_type, f);
    if (!st.ok()) return st;
    return &msg_;
  }

  Result<const Message*> Parse(std::string_view text) {
    if (text.size() > options_.max_message_bytes) return Parse(text.data(), text.size(), 0);
    copy_.resize(text.size() + simdjson::SIMDJSON_PADDING);
    std::memcpy(copy_.data(), text.data(), text.size());
    return Parse(copy_.data(), text.size(), copy_.size());
  }

 private:
  Status ReadTop(od::document& doc, Fields* f, std::string_view* top_type) {
    od::object top;
    if (auto e = doc.get_object().get(top)) return JsonError(e, "message (not an object)");
    for (auto field : top) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return JsonError(e, "message");
      od::value v;
      if (auto e = field.value().get(v)) return JsonError(e, key);
      if (key == "type") {
        BLACKOUT_RETURN_IF_ERROR(GetString(v, "type", top_type));
      } else if (key == "data") {
        od::json_type t;
        if (auto e = v.type().get(t)) return JsonError(e, "data");
        if (t == od::json_type::object) BLACKOUT_RETURN_IF_ERROR(ReadData(v, f));
      }
    }
    return Status::Ok();
  }

  Status ReadData(od::value data, Fields* f) {
    od::object obj;
    if (auto e = data.get_object().get(obj)) return JsonError(e, "data");
    json_.Clear();
    for (auto field : obj) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return JsonError(e, "data");
      od::value v;
      if (auto e = field.value().get(v)) return JsonError(e, key);
      BLACKOUT_RETURN_IF_ERROR(ReadField(key, v, f));
    }
    return Status::Ok();
  }

  Status ReadField(std::string_view key, od::value v, Fields* f) {
    const bool want_json = !(options_.prefer_raw && !f->raw.empty());
    if (key == "timestamp") {
      if (auto e = v.get_double().get(f->timestamp)) return JsonError(e, "timestamp");
      f->has_timestamp = true;
    } else if (key == "peer") {
      return GetString(v, "peer", &f->peer);
    } else if (key == "peer_asn") {
      f->has_asn = true;
      return GetAsn(v, &f->asn);
    } else if (key == "id") {
      return GetString(v, "id", &f->id);
    } else if (key == "raw") {
      return GetString(v, "raw", &f->raw);
    } else if (key == "host") {
      return GetString(v, "host", &f->host);
    } else if (key == "type") {
      return GetString(v, "data.type", &f->type);
    } else if (key == "state") {
      return GetString(v, "state", &f->state);
    } else if (key == "message") {
      return GetString(v, "message", &f->message);
    } else if (want_json && (key == "path" || key == "origin" || key == "announcements" ||
                             key == "withdrawals")) {
      f->json_read = true;
      return json_.Read(key, v);
    }
    return Status::Ok();
  }

  Status Build(std::string_view top_type, const Fields& f) {
    msg_.type.clear();
    msg_.elements = {};
    msg_.update_source = UpdateSource::kNone;
    msg_.error.clear();
    msg_.state.clear();
    if (top_type.empty()) return DataLoss("message without a type");
    if (top_type == "ris_error") {
      msg_.kind = MessageKind::kError;
      msg_.type.assign(top_type);
      msg_.error.assign(f.message);
      return Status::Ok();
    }
    if (top_type != "ris_message") {
      msg_.kind = MessageKind::kControl;
      msg_.type.assign(top_type);
      return Status::Ok();
    }
    if (f.type.empty()) return DataLoss("ris_message without data.type");
    msg_.type.assign(f.type);
    if (f.type == "UPDATE") {
      msg_.kind = MessageKind::kUpdate;
    } else if (f.type == "RIS_PEER_STATE") {
      msg_.kind = MessageKind::kPeerState;
    } else if (f.type == "OPEN") {
      msg_.kind = MessageKind::kOpen;
    } else if (f.type == "NOTIFICATION") {
      msg_.kind = MessageKind::kNotification;
    } else if (f.type == "KEEPALIVE") {
      msg_.kind = MessageKind::kKeepalive;
    } else if (f.type == "ROUTE_REFRESH") {
      msg_.kind = MessageKind::kRouteRefresh;
    } else {
      return DataLoss("unknown ris_message type \"" + std::string(f.type) + "\"");
    }
    BLACKOUT_RETURN_IF_ERROR(Peer(f));
    if (msg_.kind == MessageKind::kUpdate) return Update(f);
    if (msg_.kind == MessageKind::kPeerState) return PeerState(f);
    return Status::Ok();
  }

  // The fields every ris_message names: collector, peer, time.
  Status Peer(const Fields& f) {
    if (f.host.empty()) return DataLoss(msg_.type + " without host");
    if (f.peer.empty()) return DataLoss(msg_.type + " without peer");
    if (!f.has_asn) return DataLoss(msg_.type + " without peer_asn");
    if (!f.has_timestamp) return DataLoss(msg_.type + " without timestamp");
    if (!(f.timestamp >= 0 && f.timestamp < 4294967296.0)) {
      return DataLoss("timestamp " + std::to_string(f.timestamp) + " out of range");
    }
    if (f.host != msg_.host) {
      msg_.host.assign(f.host);
      msg_.collector = CollectorName(f.host);
    }
    auto ip = IpAddress::Parse(f.peer);
    if (!ip.ok()) return DataLoss("peer \"" + std::string(f.peer) + "\" is not an IP address");
    msg_.peer_ip = *ip;
    msg_.peer_asn = f.asn;
    msg_.id.assign(f.id);
    msg_.timestamp = f.timestamp;
    msg_.time = static_cast<uint32_t>(f.timestamp);
    msg_.microseconds =
        static_cast<uint32_t>(std::lround((f.timestamp - static_cast<double>(msg_.time)) * 1e6));
    if (msg_.microseconds >= 1000000) msg_.microseconds = 999999;
    return Status::Ok();
  }

  Status Update(const Fields& f) {
    if (!f.raw.empty() && (options_.prefer_raw || !f.json_read)) {
      problems_.clear();
      BLACKOUT_RETURN_IF_ERROR(internal::DecodeRawUpdate(f.raw, msg_.peer_ip, msg_.peer_asn,
                                                         msg_.time, msg_.microseconds, &body_,
                                                         &decoder_, &problems_, &msg_.elements));
      msg_.update_source = UpdateSource::kRaw;
      return Status::Ok();
    }
    BLACKOUT_RETURN_IF_ERROR(
        json_.Finish(msg_.peer_ip, msg_.peer_asn, msg_.time, msg_.microseconds, &msg_.elements));
    msg_.update_source = UpdateSource::kJson;
    return Status::Ok();
  }

  Status PeerState(const Fields& f) {
    msg_.state.assign(f.state);
    if (f.state == "connected") {
      msg_.peer_up = true;
    } else if (f.state == "down") {
      msg_.peer_up = false;
    } else {
      return DataLoss("RIS_PEER_STATE with unknown state \"" + std::string(f.state) + "\"");
    }
    mrt::Element& e = state_element_;
    e = mrt::Element();
    e.type = mrt::ElementType::kStateChange;
    e.source = mrt::ElementSource::kBgp4mpEt;
    e.time = msg_.time;
    e.microseconds = msg_.microseconds;
    e.peer_ip = msg_.peer_ip;
    e.peer_as = msg_.peer_asn;
    e.old_state = msg_.peer_up ? kIdle : kEstablished;
    e.new_state = msg_.peer_up ? kEstablished : kIdle;
    msg_.elements = std::span<const mrt::Element>(&state_element_, 1);
    return Status::Ok();
  }

  ParserOptions options_;
  od::parser parser_;
  std::string copy_;  // padded copy of a message that has no padding of its own
  Message msg_;
  mrt::Element state_element_;
  internal::JsonUpdate json_;
  std::vector<uint8_t> body_;  // the synthetic BGP4MP_ET record of a raw UPDATE
  mrt::RecordDecoder decoder_;
  std::vector<std::string> problems_;
};

Parser::Parser(ParserOptions options) : impl_(std::make_unique<Impl>(options)) {}
Parser::~Parser() = default;

Result<const Message*> Parser::Parse(std::string_view text) { return impl_->Parse(text); }

Result<const Message*> Parser::ParseInPlace(std::string_view text, size_t capacity) {
  if (capacity < text.size() + simdjson::SIMDJSON_PADDING) return impl_->Parse(text);
  return impl_->Parse(text.data(), text.size(), capacity);
}

size_t Parser::padding() { return simdjson::SIMDJSON_PADDING; }

LineStats ParseLines(Parser& parser, std::string_view text,
                     const std::function<void(uint64_t, const Message&)>& on_message,
                     const std::function<void(const LineProblem&)>& on_problem) {
  LineStats stats;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    const size_t capacity = text.size() - pos;
    pos = nl + 1;
    ++stats.lines;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    auto m = parser.ParseInPlace(line, capacity);
    if (!m.ok()) {
      ++stats.problems;
      if (on_problem) on_problem(LineProblem{stats.lines, m.status().message()});
      continue;
    }
    ++stats.messages;
    stats.elements += (*m)->elements.size();
    if (on_message) on_message(stats.lines, **m);
  }
  return stats;
}

}  // namespace blackout::rislive
