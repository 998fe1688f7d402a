// The telescope's packet path (see fuzz/README.md): one option byte chooses the link type, the rest
// is one captured packet, decoded, filtered, attributed and counted; then the bin's state is
// serialised, parsed back and merged, and the bytes are also parsed as a stored bin state (the
// store's "darknet:bin:" values), which must fail cleanly when they are not one.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "blackout/darknet/counter.h"

namespace {

constexpr int kLinks[] = {blackout::darknet::kLinkEthernet, blackout::darknet::kLinkRaw,
                          blackout::darknet::kLinkLinuxSll, blackout::darknet::kLinkLinuxSll2,
                          blackout::darknet::kLinkNull,     blackout::darknet::kLinkLoop,
                          blackout::darknet::kLinkIpv4,     blackout::darknet::kLinkIpv6};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blackout::darknet;
  if (size < 1) return 0;
  const int link = kLinks[data[0] % std::size(kLinks)];
  // A copy of exactly the packet's size, so a read past its end is caught.
  std::string packet(reinterpret_cast<const char*>(data + 1), size - 1);
  Attributor attribute = [](const blackout::IpAddress& a, std::vector<std::string>* out) {
    out->push_back(a.is_v4() ? "country/AA" : "country/BB");
    out->push_back("asn/" + std::to_string(a.bytes()[0] + 1));
  };
  FilterOptions all;
  CounterOptions o;
  o.filter = all;
  TelescopeCounter counter(attribute, o);
  const auto* bytes = reinterpret_cast<const uint8_t*>(packet.data());
  counter.AddPacket(1700000000, link, {bytes, packet.size()});
  PacketInfo p;
  if (DecodePacket(link, {bytes, packet.size()}, &p) == Decoded::kIp) {
    CounterOptions none;
    (void)ParseFilterRules("none", &none.filter);
    TelescopeCounter unfiltered(attribute, none);
    unfiltered.AddDecoded(1700000000, p);  // every rule off: counted
    if (unfiltered.stats().kept() != 1) __builtin_trap();
  }
  for (blackout::UnixSeconds bin : counter.Bins()) {
    const std::string state = counter.SerializeBin(bin);
    TelescopeCounter other(attribute, o);
    if (!other.MergeSerializedBin(bin, state).ok()) __builtin_trap();
    if (other.Counts(bin).size() != counter.Counts(bin).size()) __builtin_trap();
  }
  TelescopeCounter parsed(attribute, o);
  (void)parsed.MergeSerializedBin(0, packet);
  return 0;
}
