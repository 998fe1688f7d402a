// Parser: one RIS Live JSON message (one WebSocket text frame, or one line of a recorded stream)
// into a Message (message.h). JSON is read with simdjson's On-Demand API in one pass over the
// fields; an UPDATE's route events come from its `raw` BGP message decoded by the MRT module's
// BGP decoders (the path archives take), or from the JSON fields when the message has no `raw`
// (the subscription did not ask for it). docs/rislive.md describes the format, the choice and the
// measured speeds.
//
// Errors are values: a message that is not valid JSON, not an object, lacks a field its kind needs,
// or carries an undecodable `raw` gives a kDataLoss Status saying why; the caller reports it and
// goes on with the next message. ParseLines() is the recovering reader over a recorded stream.
//
// Thread-safety: a Parser is used by one thread at a time; it reuses its buffers across calls.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "blackout/base/status.h"
#include "blackout/rislive/message.h"

namespace blackout::rislive {

struct ParserOptions {
  // Decode UPDATEs from `raw` when present (true), or always from the JSON fields (false).
  bool prefer_raw = true;
  // Messages longer than this are rejected unread (a BGP message is at most 65535 bytes; its
  // JSON form a few times that).
  size_t max_message_bytes = 1u << 20;
};

class Parser {
 public:
  explicit Parser(ParserOptions options = {});
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Parses one message. The Message is valid until the next call. `text` needs no padding (it is
  // copied when it does not end SIMDJSON_PADDING readable bytes before `capacity`).
  Result<const Message*> Parse(std::string_view text);
  // The same, for text followed by at least `padding()` readable bytes (any content) up to
  // `capacity`: parsed in place, no copy. REQUIRES: capacity >= text.size() + padding().
  Result<const Message*> ParseInPlace(std::string_view text, size_t capacity);
  static size_t padding();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// A message that could not be parsed: its 1-based line number and why.
struct LineProblem {
  uint64_t line = 0;
  std::string what;
  std::string ToString() const;  // "line N: what"
};

struct LineStats {
  uint64_t lines = 0, messages = 0, problems = 0, elements = 0;
};

// Parses every non-empty line of `text` (a recorded stream: one message per line, the last line
// may lack its newline), calling on_message for each message and on_problem for each line that
// does not parse; never stops early. Either callback may be empty.
LineStats ParseLines(Parser& parser, std::string_view text,
                     const std::function<void(uint64_t line, const Message&)>& on_message,
                     const std::function<void(const LineProblem&)>& on_problem);

}  // namespace blackout::rislive
