#include "blackout/service/webhooks.h"

#include <chrono>
#include <limits>

#include "blackout/base/log.h"
#include "blackout/curated/curated.h"
#include "blackout/store/entity_ref.h"
#include "blackout/store/store.h"

namespace blackout::service {

Webhooks::Webhooks(store::Store& store, notify::ParentsFn parents)
    : store_(store), parents_(std::move(parents)) {}

Webhooks::~Webhooks() { Stop(); }

Status Webhooks::Start(std::string base_url) {
  if (started_) return Status::Ok();
  notify::NotifierOptions o;
  o.base_url = std::move(base_url);
  o.parents = parents_;
  notifier_ = std::make_unique<notify::Notifier>(store_, std::move(o));
  BLACKOUT_RETURN_IF_ERROR(notifier_->Start());
  started_ = true;
  return Status::Ok();
}

void Webhooks::Stop() {
  if (started_) notifier_->Stop();
  started_ = false;
}

void Webhooks::AfterPass(const server::MemoryData& data, server::ApiServer* api) {
  if (api) RefreshCurated(data, *api);
  if (!started_) return;
  server::OutageQuery q;
  q.until = std::numeric_limits<int64_t>::max() / 2;
  const std::vector<store::Event> events = data.Events(q);
  // Each payload says what its event was measured from (the snapshot's provenance).
  notifier_->SetProvenance([prov = data.Provenance()](const store::Event& e) {
    notify::EventProvenance out;
    out.simulation = prov.simulation;
    out.attribution = prov.ForSignals(e.signals).Attribution();
    return out;
  });
  auto r = notifier_->OnPass(events);
  if (!r.ok()) {
    log::Warn("webhooks: ", r.status().ToString());
  } else if (r->deliveries > 0) {
    log::Info("webhooks: ", r->notices, " new notices, ", r->deliveries, " deliveries queued");
  }
  if (api) {
    const notify::NotifierStats s = notifier_->Stats();
    server::Metrics& m = api->metrics();
    m.SetGauge("blackout_webhook_pending", "Webhook deliveries queued or in flight.",
               static_cast<double>(s.pending));
    m.SetGauge("blackout_webhook_delivered", "Webhook deliveries delivered by this process.",
               static_cast<double>(s.delivered));
    m.SetGauge("blackout_webhook_failed", "Webhook deliveries given up by this process.",
               static_cast<double>(s.failed));
  }
}

void Webhooks::RefreshCurated(const server::DataView& data, server::ApiServer& api) {
  auto outages = curated::LoadOutages(store_);
  if (!outages.ok()) {
    log::Warn("annotations: ", outages.status().ToString());
    return;
  }
  std::vector<server::Annotation> out;
  for (const curated::CuratedOutage& o : *outages) {
    for (const std::string& entity : o.entities) {
      const store::EntityRef ref = store::EntityRef::FromCanonical(entity);
      server::Annotation a;
      a.entity_type = ref.type();
      a.entity_code = ref.code();
      a.from = o.from;
      a.until = o.EffectiveUntil();
      a.open_end = !o.until.has_value();
      a.whole_days = o.whole_days;
      a.source = o.source;
      a.id = o.id;
      a.kind = o.kind;
      a.cause = o.cause;
      a.area = o.area;
      a.link = o.link;
      const auto e = data.FindEntity(a.entity_type, a.entity_code);
      std::string place = e && !e->name.empty() && e->name != e->code ? e->name : "";
      if (place.empty() && a.entity_type == "country") {
        if (!places_) places_ = curated::PlaceNames::Load().value_or(curated::PlaceNames());
        place = places_->CountryName(a.entity_code);
      }
      if (place.empty()) place = entity;
      a.text = curated::Sentence(o, place);
      out.push_back(std::move(a));
    }
  }
  api.ReplaceCurated(std::move(out));
}

void Webhooks::FillActions(server::Actions& actions) {
  actions.add_subscription = [this](const std::string& body) {
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    return notify::AddSubscriptionFromJson(store_, body, now);
  };
  actions.list_subscriptions = [this] { return notify::ListSubscriptionsJson(store_); };
  actions.remove_subscription = [this](const std::string& id) {
    return notify::RemoveSubscription(store_, id);
  };
}

}  // namespace blackout::service
