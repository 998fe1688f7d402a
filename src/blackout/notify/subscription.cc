#include "blackout/notify/subscription.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "blackout/store/entity_ref.h"
#include "blackout/store/signals.h"
#include "blackout/store/store.h"

namespace blackout::notify {
namespace {

using json = nlohmann::json;

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void SortUnique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

Status Validate(Subscription& s) {
  if (s.url.rfind("http://", 0) != 0 && s.url.rfind("https://", 0) != 0) {
    return InvalidArgument("url must start with http:// or https://");
  }
  if (s.url.size() > 2000 || s.url.find_first_of(" \r\n\t") != std::string::npos) {
    return InvalidArgument("url is malformed");
  }
  if (s.secret.size() < 16 || s.secret.size() > 256) {
    return InvalidArgument("secret must be 16 to 256 bytes");
  }
  for (std::string& e : s.entities) {
    auto ref = store::EntityRef::Parse(e);
    if (!ref.ok()) return InvalidArgument("entity \"" + e + "\": " + ref.status().message());
    if (ref->type() != "country" && ref->type() != "region" && ref->type() != "asn" &&
        ref->type() != "geoasn") {
      return InvalidArgument("entity \"" + e + "\": type must be country, region, asn or geoasn");
    }
    e = ref->ToString();
  }
  SortUnique(s.entities);
  if (s.include_related && s.entities.empty()) {
    return InvalidArgument("include related needs at least one entity");
  }
  for (std::string& sig : s.signals) {
    const store::SignalInfo* info = store::FindSignal(sig);
    if (!info && sig != "app-blocking") return InvalidArgument("unknown signal \"" + sig + "\"");
    if (info) sig = std::string(info->name);
  }
  SortUnique(s.signals);
  if (!(s.min_drop >= 0 && s.min_drop <= 1)) return InvalidArgument("min drop must be in [0, 1]");
  if (!(s.min_score >= 0) || !std::isfinite(s.min_score)) {
    return InvalidArgument("min score must be >= 0");
  }
  std::sort(s.kinds.begin(), s.kinds.end());
  s.kinds.erase(std::unique(s.kinds.begin(), s.kinds.end()), s.kinds.end());
  if (s.description.size() > 500) return InvalidArgument("description is longer than 500 bytes");
  return Status::Ok();
}

std::string NewSubscriptionId() {
  unsigned char b[8];
  if (RAND_bytes(b, sizeof b) != 1) std::fill(std::begin(b), std::end(b), 0);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "sub-";
  for (unsigned char c : b) {
    id.push_back(kHex[c >> 4]);
    id.push_back(kHex[c & 15]);
  }
  return id;
}

std::string SubscriptionJson(const Subscription& s, bool with_secret) {
  json kinds = json::array();
  for (NoticeKind k : s.kinds) kinds.push_back(NoticeKindName(k));
  json j = {{"id", s.id},
            {"url", s.url},
            {"secret", with_secret ? s.secret : std::string("(set)")},
            {"entities", s.entities},
            {"includeRelated", s.include_related},
            {"signals", s.signals},
            {"minDrop", s.min_drop},
            {"minScore", s.min_score},
            {"kinds", kinds},
            {"created", s.created},
            {"description", s.description}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<Subscription> SubscriptionFromJson(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("a subscription is a JSON object");
  Subscription s;
  try {
    s.id = j.value("id", "");
    s.url = j.value("url", "");
    s.secret = j.value("secret", "");
    s.entities = j.value("entities", std::vector<std::string>{});
    s.include_related = j.value("includeRelated", false);
    s.signals = j.value("signals", std::vector<std::string>{});
    s.min_drop = j.value("minDrop", 0.0);
    s.min_score = j.value("minScore", 0.0);
    for (const std::string& k : j.value("kinds", std::vector<std::string>{})) {
      NoticeKind kind;
      if (!ParseNoticeKind(k, &kind)) {
        return InvalidArgument("unknown kind \"" + k + "\" (start, phase, end, unblocked)");
      }
      s.kinds.push_back(kind);
    }
    s.created = j.value("created", int64_t{0});
    s.description = j.value("description", "");
  } catch (const json::exception&) {
    return InvalidArgument("a subscription field has the wrong type");
  }
  return s;
}

Status SaveSubscription(store::Store& store, const Subscription& s) {
  store::Record r{std::string(kSubscriptionKind), s.id, s.created, SubscriptionJson(s, true)};
  return store.PutRecords(std::span<const store::Record>(&r, 1));
}

Status RemoveSubscription(store::Store& store, const std::string& id) {
  BLACKOUT_ASSIGN_OR_RETURN(auto found, store.ListRecords(kSubscriptionKind, id));
  if (std::none_of(found.begin(), found.end(), [&](const auto& r) { return r.key == id; })) {
    return NotFound("no subscription " + id);
  }
  std::vector<std::string> keys = {id};
  return store.DeleteRecords(kSubscriptionKind, keys);
}

Result<std::vector<Subscription>> ListSubscriptions(store::Store& store) {
  BLACKOUT_ASSIGN_OR_RETURN(auto records, store.ListRecords(kSubscriptionKind));
  std::vector<Subscription> out;
  for (const store::Record& r : records) {
    auto s = SubscriptionFromJson(r.value);
    if (s.ok()) out.push_back(std::move(*s));
  }
  return out;
}

Result<std::string> AddSubscriptionFromJson(store::Store& store, std::string_view body,
                                            UnixSeconds now) {
  BLACKOUT_ASSIGN_OR_RETURN(Subscription s, SubscriptionFromJson(body));
  s.id = NewSubscriptionId();
  s.created = now;
  BLACKOUT_RETURN_IF_ERROR(Validate(s));
  BLACKOUT_RETURN_IF_ERROR(SaveSubscription(store, s));
  return SubscriptionJson(s, false);
}

Result<std::string> ListSubscriptionsJson(store::Store& store) {
  BLACKOUT_ASSIGN_OR_RETURN(auto subs, ListSubscriptions(store));
  std::string out = "[";
  for (size_t i = 0; i < subs.size(); ++i) out += (i ? "," : "") + SubscriptionJson(subs[i], false);
  return out + "]";
}

std::vector<std::string> DefaultParents(const std::string& entity) {
  auto ref = store::EntityRef::FromCanonical(entity);
  if (auto c = ref.CountryOfRegion()) return {c->ToString()};
  return {};
}

SubscriptionIndex::SubscriptionIndex(std::vector<Subscription> subs, ParentsFn parents)
    : subs_(std::move(subs)), parents_(std::move(parents)) {
  for (uint32_t i = 0; i < subs_.size(); ++i) {
    const Subscription& s = subs_[i];
    if (s.entities.empty()) any_.push_back(i);
    for (const std::string& e : s.entities) {
      exact_[e].push_back(i);
      if (s.include_related) related_[e].push_back(i);
    }
  }
}

bool SubscriptionIndex::Wants(const Subscription& s, const Notice& n) const {
  const store::Event& e = *n.event;
  if (!s.kinds.empty() && std::find(s.kinds.begin(), s.kinds.end(), n.kind) == s.kinds.end()) {
    return false;
  }
  if (!s.signals.empty() && std::none_of(e.signals.begin(), e.signals.end(), [&](const auto& sig) {
        return Contains(s.signals, sig);
      })) {
    return false;
  }
  if (s.min_drop > 0 && !(e.depth <= 1 - s.min_drop)) return false;  // unknown depth: no
  if (s.min_score > 0 && !(e.score >= s.min_score)) return false;
  return true;
}

void SubscriptionIndex::Match(const Notice& n, std::vector<uint32_t>* out) const {
  out->clear();
  if (!n.event) return;
  const store::Event& e = *n.event;
  auto add = [&](const std::vector<uint32_t>& v) {
    for (uint32_t i : v) {
      if (Wants(subs_[i], n)) out->push_back(i);
    }
  };
  add(any_);
  if (auto it = exact_.find(e.entity); it != exact_.end()) add(it->second);
  if (!related_.empty()) {
    // Entities above the event's (its parents), and those it names as carrying it.
    auto pc = parents_cache_.find(e.entity);
    if (pc == parents_cache_.end()) pc = parents_cache_.emplace(e.entity, parents_(e.entity)).first;
    for (const std::string& p : pc->second) {
      if (auto it = related_.find(p); it != related_.end()) add(it->second);
    }
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

}  // namespace blackout::notify
