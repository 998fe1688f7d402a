// Text forms of elements: the `bgpdump -m` line (byte-identical to Debian's bgpdump 1.6.2,
// including its quirks, which docs/mrt.md lists) and one JSON object per element.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "blackout/base/ip.h"
#include "blackout/mrt/element.h"

namespace blackout::mrt {

// Appends the `bgpdump -m` line for `e` (with its trailing newline) to `out`.
void AppendBgpdumpLine(const Element& e, std::string& out);

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
