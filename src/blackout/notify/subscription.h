// Webhook subscriptions: who is told about which notices (notice.h). A subscription names a
// receiver URL and a secret (the HMAC key its deliveries are signed with; never shown again, in
// logs or answers), and filters: entities (with `include_related`, also the entities under them:
// a country's regions and networks), signals, the least drop in connectivity (`min_drop`, 0.5 =
// at least half lost: event depth <= 0.5), the least score, and notice kinds. Empty filters match
// everything. Subscriptions are kept in the store as records (kind "subscription").
//
// SubscriptionIndex matches one detection pass's notices against many subscriptions: indexed by
// entity, so a notice looks only at the subscriptions of its entity and parents plus those without
// entities (docs/notify.md; bench/notify). Thread-safety: values; an index's Match is called
// from one thread at a time (it caches entities' parents).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/notify/notice.h"

namespace blackout::store {
class Store;
}

namespace blackout::notify {

struct Subscription {
  std::string id;                     // "sub-" + 16 hex digits, chosen by NewSubscriptionId
  std::string url;                    // http:// or https:// receiver
  std::string secret;                 // HMAC-SHA256 key, 16..256 bytes
  std::vector<std::string> entities;  // canonical "country/KZ"; empty = every entity
  bool include_related = false;
  std::vector<std::string> signals;  // canonical signal names; empty = any
  double min_drop = 0;               // 0..1
  double min_score = 0;
  std::vector<NoticeKind> kinds;  // empty = every kind
  UnixSeconds created = 0;
  std::string description;
};

// Checks and canonicalises (entities through EntityRef, signals through the registry, kinds
// deduplicated): kInvalidArgument saying what is wrong. Never mentions the secret's value.
Status Validate(Subscription& s);
// A fresh random id (OpenSSL's RAND_bytes).
std::string NewSubscriptionId();

// JSON: the stored form carries the secret; the shown form has "secret": "(set)" instead.
std::string SubscriptionJson(const Subscription& s, bool with_secret);
Result<Subscription> SubscriptionFromJson(std::string_view json);

inline constexpr std::string_view kSubscriptionKind = "subscription";
Status SaveSubscription(store::Store& store, const Subscription& s);
// kNotFound when there is none with that id.
Status RemoveSubscription(store::Store& store, const std::string& id);
Result<std::vector<Subscription>> ListSubscriptions(store::Store& store);

// The write API's and the CLI's operations, JSON in and out (secrets never out):
// a new subscription from a JSON body (id and creation time chosen here, validated, saved),
// answered in its shown form; the list as a JSON array of shown forms.
Result<std::string> AddSubscriptionFromJson(store::Store& store, std::string_view body,
                                            UnixSeconds now);
Result<std::string> ListSubscriptionsJson(store::Store& store);

// The entities an entity belongs to ("region/KZ-ALA" -> {"country/KZ"}).
using ParentsFn = std::function<std::vector<std::string>(const std::string& entity)>;
// Region -> its country only (what the entity reference alone says).
std::vector<std::string> DefaultParents(const std::string& entity);

class SubscriptionIndex {
 public:
  explicit SubscriptionIndex(std::vector<Subscription> subs, ParentsFn parents = DefaultParents);
  // The subscriptions (indexes into subs()) that want `n`, in ascending order.
  void Match(const Notice& n, std::vector<uint32_t>* out) const;
  const std::vector<Subscription>& subs() const { return subs_; }

 private:
  bool Wants(const Subscription& s, const Notice& n) const;
  std::vector<Subscription> subs_;
  ParentsFn parents_;
  std::unordered_map<std::string, std::vector<uint32_t>> exact_;    // entity -> subs
  std::unordered_map<std::string, std::vector<uint32_t>> related_;  // entity -> subs wanting under
  std::vector<uint32_t> any_;                                       // no entity filter
  mutable std::unordered_map<std::string, std::vector<std::string>> parents_cache_;
};

}  // namespace blackout::notify
