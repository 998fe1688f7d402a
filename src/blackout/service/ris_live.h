// RIS Live in `blackout run` (docs/rislive.md): the `sources.ris_live` config entry and the feed
// that runs a rislive::Source on its own thread into the service's live routing view
// (bgp::LiveView), from which the run loop writes closed and provisional bins.
// Thread-safety: a RisLiveFeed is created and destroyed by the service thread; stats() from any.
#pragma once

#include <toml++/toml.h>

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "blackout/base/status.h"
#include "blackout/bgp/live.h"
#include "blackout/rislive/source.h"

namespace blackout::service {

// sources.ris_live = { url = "wss://...", filters = { host = "rrc00", prefix = "...",
// moreSpecific = true, type = "UPDATE", ... } }: RIS Live's filter names (rislive::Filters), the
// booleans as true/false. Unknown keys and filters are errors. Fills *url (the default URL when the
// table has none) and *filters (name -> value, booleans as "true"/"false").
Status ParseRisLiveSource(const toml::node& node, std::string* url,
                          std::map<std::string, std::string>* filters);

class RisLiveFeed {
 public:
  // Starts the source's thread. REQUIRES: `view` outlives the feed.
  RisLiveFeed(const std::string& url, const std::map<std::string, std::string>& filters,
              bgp::LiveView& view);
  ~RisLiveFeed();  // stops the source and joins its thread
  RisLiveFeed(const RisLiveFeed&) = delete;
  RisLiveFeed& operator=(const RisLiveFeed&) = delete;

  rislive::SourceStats stats() const { return source_.stats(); }

 private:
  // The live view as the source's sink: elements applied, gaps counted and logged.
  class ViewSink : public rislive::Sink {
   public:
    explicit ViewSink(bgp::LiveView& view) : view_(view) {}
    void Apply(std::string_view collector, std::span<const mrt::Element> elements) override {
      view_.Apply(collector, elements);
    }
    void Gap(std::string_view what) override { view_.Gap(what); }
    void GapEnded(std::string_view what) override { view_.GapEnded(what); }

   private:
    bgp::LiveView& view_;
  };

  ViewSink sink_;
  rislive::Source source_;
  std::thread thread_;
};

}  // namespace blackout::service
