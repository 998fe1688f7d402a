// RIS Live messages: Parser::Parse (copying), Parser::ParseInPlace over an exactly padded buffer,
// and ParseLines over the whole input. Contract: never crash, never read outside the message or
// its padding; a parsed message is self-consistent (an UPDATE's elements are announcements or
// withdrawals of its peer; a peer state is one state change); a rejected one is kDataLoss with a
// reason. Input: 1 option byte (bit0: decode UPDATEs from the JSON fields, not `raw`) + text.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "../mrt/consume.h"
#include "blackout/rislive/parser.h"

namespace {

using namespace blackout;

void Check(const Result<const rislive::Message*>& m) {
  if (!m.ok()) {
    if (m.status().code() != StatusCode::kDataLoss || m.status().message().empty()) {
      __builtin_trap();
    }
    return;
  }
  const rislive::Message& msg = **m;
  for (const mrt::Element& e : msg.elements) {
    if (e.peer_ip != msg.peer_ip || e.peer_as != msg.peer_asn) __builtin_trap();
    const bool route =
        e.type == mrt::ElementType::kAnnounce || e.type == mrt::ElementType::kWithdraw;
    if (msg.kind == rislive::MessageKind::kUpdate && !route) __builtin_trap();
    if (msg.kind == rislive::MessageKind::kPeerState && e.type != mrt::ElementType::kStateChange) {
      __builtin_trap();
    }
    (void)fuzz::Consume(e);
  }
  if (msg.kind != rislive::MessageKind::kUpdate && msg.kind != rislive::MessageKind::kPeerState &&
      !msg.elements.empty()) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool json_fields = data[0] & 1;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  rislive::Parser parser(rislive::ParserOptions{.prefer_raw = !json_fields});
  Check(parser.Parse(text));
  std::vector<char> padded(text.size() + rislive::Parser::padding());
  std::memcpy(padded.data(), text.data(), text.size());
  Check(parser.ParseInPlace(std::string_view(padded.data(), text.size()), padded.size()));
  rislive::ParseLines(
      parser, text, [](uint64_t, const rislive::Message& m) { Check(&m); },
      [](const rislive::LineProblem& p) {
        if (p.line == 0 || p.what.empty()) __builtin_trap();
      });
  return 0;
}
