// An UPDATE's route events from RIS Live's JSON fields (`path`, `origin`, `announcements`,
// `withdrawals`), for messages without `raw`. RIS Live writes an AS_SET as a nested array in
// `path` ([1, 2, [3, 4]]) and splits an IPv6 MP_REACH with a link-local second next hop into two
// announcement groups carrying the same prefixes: a group whose next hop is link-local (fe80::/10)
// is dropped when an earlier group exists, so each prefix gives one element, as from `raw`.
// Internal to rislive.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/base/status.h"
#include "blackout/mrt/attributes.h"
#include "blackout/mrt/element.h"

namespace blackout::rislive::internal {

class JsonUpdate {
 public:
  void Clear();
  // Reads one of the fields named above.
  Status Read(std::string_view key, simdjson::ondemand::value value);
  // The elements (withdrawals first), valid until the next Clear().
  Status Finish(const IpAddress& peer, uint32_t peer_asn, uint32_t time, uint32_t microseconds,
                std::span<const mrt::Element>* out);

 private:
  Status ReadPath(simdjson::ondemand::value value);
  Status ReadAnnouncements(simdjson::ondemand::value value);
  Status ReadPrefixes(simdjson::ondemand::value value, std::vector<Prefix>* out);

  std::vector<mrt::AsPathSegment> segments_;
  std::vector<uint32_t> asns_;
  bool has_path_ = false, has_origin_ = false;
  mrt::Origin origin_ = mrt::Origin::kIgp;
  std::vector<Prefix> withdrawn_, announced_;
  std::vector<IpAddress> next_hops_;  // per announced prefix
  mrt::Attributes attrs_;
  std::vector<mrt::Element> elements_;
};

}  // namespace blackout::rislive::internal
