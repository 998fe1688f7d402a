// The service's glue for issue 22 (docs/notify.md): the webhook Notifier run after each
// detection pass, the write API's subscription actions, and the curated annotations the API and
// the dashboard show, refreshed from the store after each pass. Internal to the service.
// Thread-safety: AfterPass and Start/Stop from the service's thread; the actions from the API's.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "blackout/curated/curated.h"
#include "blackout/notify/notifier.h"
#include "blackout/server/api.h"
#include "blackout/server/data.h"

namespace blackout::service {

class Webhooks {
 public:
  Webhooks(store::Store& store, notify::ParentsFn parents);
  ~Webhooks();
  // Starts delivering (the queue left by an earlier run included). `base_url`: the service's
  // URL for the payloads' links ("http://host:port").
  Status Start(std::string base_url);
  void Stop();
  // Queues the notices of this pass's events (`data`: the snapshot just loaded) and hands the
  // curated records to `api` (may be null). Errors are logged, never fatal to the pass.
  void AfterPass(const server::MemoryData& data, server::ApiServer* api);
  // The curated records as the API's annotations, one per entity, with their sentence as text.
  void RefreshCurated(const server::DataView& data, server::ApiServer& api);
  // add/list/remove subscriptions for the write API.
  void FillActions(server::Actions& actions);

 private:
  store::Store& store_;
  notify::ParentsFn parents_;
  std::optional<curated::PlaceNames> places_;   // country names when the data have none
  std::unique_ptr<notify::Notifier> notifier_;  // made by Start
  bool started_ = false;
};

}  // namespace blackout::service
