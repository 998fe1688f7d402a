// Reply parsing and validation on arbitrary datagrams: never reads out of bounds, and random bytes
// never validate as one of our replies.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "blackout/probe/icmp.h"
#include "blackout/probe/validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blackout::probe;
  static const ProbeTagger tagger = ProbeTagger::FromSeed(42);
  Echo e;
  if (ParseEchoReply(std::span<const uint8_t>(data, size), &e) == ParseResult::kOk) {
    (void)tagger.Validate(e);
  }
  return 0;
}
