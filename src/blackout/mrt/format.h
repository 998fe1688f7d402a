// Text forms of elements: the `bgpdump -m` line (byte-identical to Debian's bgpdump 1.6.2,
// including its quirks, which docs/mrt.md lists) and one JSON object per element.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "blackout/base/ip.h"
#include "blackout/mrt/element.h"

namespace blackout::mrt {

struct FormatCache;  // internal/text_cache.h

// A growable byte buffer that line formatting writes into without per-character checks: the fast
// path for `mrt dump`. It also remembers the text of recent times, peers and prefixes, so lines
// that repeat them (every element of an UPDATE, every entry of a RIB record, the peers of a dump)
// copy it instead of formatting it again. Not thread-safe.
class TextBuffer {
 public:
  TextBuffer();
  ~TextBuffer();
  TextBuffer(const TextBuffer&) = delete;
  TextBuffer& operator=(const TextBuffer&) = delete;

  std::string_view view() const { return {buf_.get(), size_}; }
  size_t size() const { return size_; }
  void clear() { size_ = 0; }

 private:
  friend void AppendBgpdumpLine(const Element& e, TextBuffer& out);
  friend void AppendBgpdumpLines(std::span<const Element> elements, TextBuffer& out);
  void Grow(size_t need);
  std::unique_ptr<char[]> buf_;
  size_t size_ = 0, cap_ = 0;
  std::unique_ptr<FormatCache> cache_;
};

// Appends the `bgpdump -m` line for `e` (with its trailing newline) to `out`.
void AppendBgpdumpLine(const Element& e, TextBuffer& out);
void AppendBgpdumpLine(const Element& e, std::string& out);
// The lines of all elements of one record (faster: elements sharing attributes share their text).
// REQUIRES: `elements` come from one Record.
void AppendBgpdumpLines(std::span<const Element> elements, TextBuffer& out);

// Appends one JSON object (no newline) describing `e` to `out`.
void AppendJson(const Element& e, std::string& out);

// The AS path as bgpdump prints it: sequences space-separated, AS_SET "{a,b}", AS_CONFED_SEQUENCE
// "(a b)", AS_CONFED_SET "[a,b]"; "! Error !" for a malformed AS_PATH; "" when absent.
void AppendAsPath(const Attributes& a, std::string& out);

// Standard communities as bgpdump prints them ("a:b" space-separated, "no-export", "no-advertise",
// "local-AS" for the well-known ones).
void AppendCommunities(const Attributes& a, std::string& out);

// Fast address formatting, identical to inet_ntop(3) / inet_ntoa(3).
void AppendIp(const IpAddress& ip, std::string& out);

}  // namespace blackout::mrt
