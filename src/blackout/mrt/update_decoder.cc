// UpdateDecoder: BGP messages outside MRT records, through the record decoder's UPDATE walker.
#include "blackout/mrt/bgp_decoder.h"
#include "blackout/mrt/internal/update.h"

namespace blackout::mrt {

UpdateDecoder::UpdateDecoder() = default;
UpdateDecoder::~UpdateDecoder() = default;

bool UpdateDecoder::Decode(std::span<const uint8_t> message, bool as4, bool add_path,
                           const Element& proto, std::vector<Element>* out,
                           std::vector<std::string>* problems) {
  out->clear();
  bool ok = true;
  auto problem = [&](std::string what) {
    ok = false;
    if (problems != nullptr) problems->push_back(std::move(what));
  };
  if (message.size() < kBgpHeaderBytes) {
    problem("BGP message of " + std::to_string(message.size()) + " bytes, shorter than its header");
    return false;
  }
  for (size_t i = 0; i < 16; ++i) {
    if (message[i] != 0xFF) {
      problem("BGP message with a bad marker");
      return false;
    }
  }
  const size_t size = internal::Get16(message.data() + 16);
  if (size < kBgpHeaderBytes) {
    problem("BGP message length " + std::to_string(size) + " below the header size");
    return false;
  }
  size_t body = size - kBgpHeaderBytes;
  if (size > message.size()) {
    problem("BGP message of " + std::to_string(size) + " bytes cut to " +
            std::to_string(message.size()));
    body = message.size() - kBgpHeaderBytes;
  }
  const uint8_t type = message[18];
  if (type != kBgpUpdateMessage) {
    if (type < kBgpOpenMessage || type > kBgpRouteRefreshMessage) {
      problem("unknown BGP message type " + std::to_string(type));
    }
    return ok;
  }
  attr_dec_.Reset(message.size());
  attrs_ = Attributes();
  Element e = proto;
  internal::DecodeUpdate(message.subspan(kBgpHeaderBytes, body), as4, add_path, e, &attrs_,
                         attr_dec_, &error_, out, problem);
  return ok;
}

}  // namespace blackout::mrt
