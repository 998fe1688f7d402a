#include "blackout/rislive/internal/json_update.h"

#include <string>

namespace blackout::rislive::internal {
namespace {

namespace od = simdjson::ondemand;

Status Bad(std::string_view field, std::string_view why) {
  return DataLoss(std::string(field) + ": " + std::string(why));
}
Status Bad(std::string_view field, simdjson::error_code e) {
  return Bad(field, simdjson::error_message(e));
}

Status Asn(od::value v, uint32_t* out) {
  uint64_t n = 0;
  if (auto e = v.get_uint64().get(n)) return Bad("path", e);
  if (n > UINT32_MAX) return Bad("path", "ASN beyond 32 bits");
  *out = static_cast<uint32_t>(n);
  return Status::Ok();
}

bool LinkLocal(const IpAddress& a) {
  return !a.is_v4() && a.bytes()[0] == 0xFE && (a.bytes()[1] & 0xC0) == 0x80;
}

}  // namespace

void JsonUpdate::Clear() {
  segments_.clear();
  asns_.clear();
  has_path_ = has_origin_ = false;
  withdrawn_.clear();
  announced_.clear();
  next_hops_.clear();
}

Status JsonUpdate::Read(std::string_view key, od::value value) {
  if (key == "path") return ReadPath(value);
  if (key == "withdrawals") return ReadPrefixes(value, &withdrawn_);
  if (key == "announcements") return ReadAnnouncements(value);
  if (key == "origin") {
    std::string_view s;
    if (auto e = value.get_string().get(s)) return Bad("origin", e);
    has_origin_ = true;
    if (s == "igp" || s == "IGP") {
      origin_ = mrt::Origin::kIgp;
    } else if (s == "egp" || s == "EGP") {
      origin_ = mrt::Origin::kEgp;
    } else if (s == "incomplete" || s == "INCOMPLETE") {
      origin_ = mrt::Origin::kIncomplete;
    } else {
      return Bad("origin", "unknown origin \"" + std::string(s) + "\"");
    }
  }
  return Status::Ok();
}

// [1, 2, [3, 4]]: numbers extend an AS_SEQUENCE, a nested array is an AS_SET (RFC 4271 §4.3).
Status JsonUpdate::ReadPath(od::value value) {
  od::array path;
  if (auto e = value.get_array().get(path)) return Bad("path", e);
  has_path_ = true;
  for (auto item : path) {
    od::value v;
    if (auto e = item.get(v)) return Bad("path", e);
    od::json_type t;
    if (auto e = v.type().get(t)) return Bad("path", e);
    if (t == od::json_type::array) {
      od::array set;
      if (auto e = v.get_array().get(set)) return Bad("path", e);
      mrt::AsPathSegment seg{mrt::SegmentType::kAsSet, 0, 0};
      for (auto member : set) {
        od::value m;
        if (auto e = member.get(m)) return Bad("path", e);
        uint32_t asn = 0;
        BLACKOUT_RETURN_IF_ERROR(Asn(m, &asn));
        asns_.push_back(asn);
        if (++seg.count == 0) return Bad("path", "AS_SET of more than 65535 ASNs");
      }
      segments_.push_back(seg);
      continue;
    }
    uint32_t asn = 0;
    BLACKOUT_RETURN_IF_ERROR(Asn(v, &asn));
    if (segments_.empty() || segments_.back().type != mrt::SegmentType::kAsSequence ||
        segments_.back().count == UINT16_MAX) {
      segments_.push_back({mrt::SegmentType::kAsSequence, 0, 0});
    }
    asns_.push_back(asn);
    ++segments_.back().count;
  }
  return Status::Ok();
}

Status JsonUpdate::ReadPrefixes(od::value value, std::vector<Prefix>* out) {
  od::array list;
  if (auto e = value.get_array().get(list)) return Bad("prefixes", e);
  for (auto item : list) {
    std::string_view s;
    if (auto e = item.get_string().get(s)) return Bad("prefixes", e);
    auto p = Prefix::Parse(s);
    if (!p.ok()) return Bad("prefixes", p.status().message());
    out->push_back(p->Masked());
  }
  return Status::Ok();
}

Status JsonUpdate::ReadAnnouncements(od::value value) {
  od::array groups;
  if (auto e = value.get_array().get(groups)) return Bad("announcements", e);
  size_t group_index = 0;
  for (auto item : groups) {
    od::object group;
    if (auto e = item.get_object().get(group)) return Bad("announcements", e);
    const size_t first = announced_.size();
    IpAddress next_hop;
    bool has_next_hop = false;
    for (auto field : group) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return Bad("announcements", e);
      od::value v;
      if (auto e = field.value().get(v)) return Bad("announcements", e);
      if (key == "next_hop") {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return Bad("next_hop", e);
        auto ip = IpAddress::Parse(s);
        if (!ip.ok()) return Bad("next_hop", "\"" + std::string(s) + "\" is not an IP address");
        next_hop = *ip;
        has_next_hop = true;
      } else if (key == "prefixes") {
        BLACKOUT_RETURN_IF_ERROR(ReadPrefixes(v, &announced_));
      }
    }
    if (has_next_hop && LinkLocal(next_hop) && group_index > 0) {
      announced_.resize(first);  // the link-local copy of the group before (see the header)
    } else {
      next_hops_.resize(announced_.size(), next_hop);
    }
    ++group_index;
  }
  return Status::Ok();
}

Status JsonUpdate::Finish(const IpAddress& peer, uint32_t peer_asn, uint32_t time,
                          uint32_t microseconds, std::span<const mrt::Element>* out) {
  attrs_ = mrt::Attributes();
  if (has_origin_) {
    attrs_.present.set(mrt::kAttrOrigin);
    attrs_.origin = origin_;
  }
  if (has_path_) {
    attrs_.present.set(mrt::kAttrAsPath);
    attrs_.as_path.segments = segments_;
    attrs_.as_path.asns = asns_;
  }
  elements_.clear();
  mrt::Element base;
  base.source = mrt::ElementSource::kBgp4mpEt;
  base.time = time;
  base.microseconds = microseconds;
  base.peer_as = peer_asn;
  base.peer_ip = peer;
  base.type = mrt::ElementType::kWithdraw;
  for (const Prefix& p : withdrawn_) {
    mrt::Element& e = elements_.emplace_back(base);
    e.prefix = p;
    e.mp = !p.address().is_v4();
  }
  base.type = mrt::ElementType::kAnnounce;
  base.attrs = &attrs_;
  for (size_t i = 0; i < announced_.size(); ++i) {
    mrt::Element& e = elements_.emplace_back(base);
    e.prefix = announced_[i];
    e.mp = !e.prefix.address().is_v4();
    e.next_hop = next_hops_[i];
  }
  *out = elements_;
  return Status::Ok();
}

}  // namespace blackout::rislive::internal
