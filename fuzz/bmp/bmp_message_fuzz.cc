// Decoder::Decode on every message framed out of the input (FrameLength), one decoder for the
// whole input so Peer Up state (ADD-PATH) carries over; every element read through consume.h.
// Messages are copied to buffers of their exact size so a read past a message's end is caught.
#include <cstdint>
#include <vector>

#include "../mrt/consume.h"
#include "blackout/bmp/decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blackout;
  bmp::Decoder decoder;
  bmp::Message msg;
  std::vector<std::string> problems;
  uint64_t sink = 0;
  size_t at = 0;
  while (size - at >= bmp::kCommonHeaderBytes) {
    auto len = bmp::FrameLength(std::span<const uint8_t>(data + at, size - at));
    // A message cut by the end of the input is decoded as it is (its length then disagrees).
    const size_t n = len.ok() ? std::min<size_t>(*len, size - at) : size - at;
    std::vector<uint8_t> copy(data + at, data + at + n);
    problems.clear();
    const bool ok = decoder.Decode(copy, &msg, &problems);
    if (!ok && problems.empty()) __builtin_trap();  // a failure always says why
    for (const auto& e : msg.elements) sink += fuzz::Consume(e);
    for (const auto& s : msg.stats) sink += s.type + s.value;
    sink += msg.sys_name.size() + msg.text.size() + bmp::PeerTable(msg.peer).size();
    if (!len.ok()) break;
    at += n;
  }
  return sink == 42 ? 0 : 0;
}
