#include "blackout/service/ris_live.h"

#include "blackout/base/log.h"

namespace blackout::service {
namespace {

rislive::ClientOptions ClientOptionsFor(const std::string& url,
                                        const std::map<std::string, std::string>& filters) {
  rislive::ClientOptions o;
  o.url = url;
  auto get = [&](const char* name) {
    auto it = filters.find(name);
    return it == filters.end() ? std::string() : it->second;
  };
  o.filters.host = get("host");
  o.filters.type = get("type");
  o.filters.prefix = get("prefix");
  o.filters.more_specific = get("moreSpecific") != "false";
  o.filters.less_specific = get("lessSpecific") == "true";
  o.filters.peer = get("peer");
  o.filters.path = get("path");
  o.filters.require = get("require");
  return o;
}

}  // namespace

Status ParseRisLiveSource(const toml::node& node, std::string* url,
                          std::map<std::string, std::string>* filters) {
  const toml::table* t = node.as_table();
  if (t == nullptr)
    return InvalidArgument("sources.ris_live must be a table { url = ..., filters = {...} }");
  *url = std::string(rislive::kDefaultUrl);
  filters->clear();
  for (const auto& [k, v] : *t) {
    const std::string key(k.str());
    if (key == "url") {
      auto s = v.value<std::string>();
      if (!s) return InvalidArgument("sources.ris_live.url must be a string");
      if (auto u = rislive::ParseUrl(*s); !u.ok()) return u.status();
      *url = *s;
    } else if (key == "filters") {
      const toml::table* f = v.as_table();
      if (f == nullptr) return InvalidArgument("sources.ris_live.filters must be a table");
      for (const auto& [fk, fv] : *f) {
        const std::string name(fk.str());
        if (name == "moreSpecific" || name == "lessSpecific") {
          auto b = fv.value<bool>();
          if (!b)
            return InvalidArgument("sources.ris_live.filters." + name + " must be true or false");
          (*filters)[name] = *b ? "true" : "false";
        } else if (name == "host" || name == "type" || name == "prefix" || name == "peer" ||
                   name == "path" || name == "require") {
          auto s = fv.value<std::string>();
          if (!s) return InvalidArgument("sources.ris_live.filters." + name + " must be a string");
          (*filters)[name] = *s;
        } else {
          return InvalidArgument("unknown RIS Live filter sources.ris_live.filters." + name);
        }
      }
    } else {
      return InvalidArgument("unknown key sources.ris_live." + key);
    }
  }
  return Status::Ok();
}

RisLiveFeed::RisLiveFeed(const std::string& url, const std::map<std::string, std::string>& filters,
                         bgp::LiveView& view)
    : sink_(view), source_(ClientOptionsFor(url, filters), sink_) {
  thread_ = std::thread([this] {
    if (Status st = source_.Run(); !st.ok()) log::Error("ris-live: ", st.ToString());
  });
}

RisLiveFeed::~RisLiveFeed() {
  source_.Stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace blackout::service
