// `blackout detect`: stored series -> alerts and events, written back to the store.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/log.h"
#include "blackout/detect/config.h"
#include "blackout/detect/store_detect.h"
#include "blackout/geo/geodb.h"
#include "blackout/store/store.h"
#include "cli/command.h"
#include "cli/helpful.h"

namespace blackout::cli {

namespace {

struct DetectOptions {
  std::string from;
  std::string until;
  std::string entity;
  std::string store;
  std::string config;
  bool dry_run = false;
  bool no_geo = false;
};

int RunDetect(const DetectOptions& o, const Context& ctx) {
  auto from = ParseTime(o.from);
  auto until = ParseTime(o.until);
  if (!from.ok() || !until.ok()) {
    log::Error("detect: ", (!from.ok() ? from.status() : until.status()).ToString());
    return kExitUsage;
  }
  auto config = detect::LoadConfigOrDefault(o.config);
  if (!config.ok()) {
    log::Error(config.status().ToString());
    return ExitCodeFor(config.status());
  }
  std::string entity;
  if (!o.entity.empty()) {
    auto resolved = ResolveEntity(o.entity);
    if (!resolved.ok()) {
      log::Error("detect: --entity: ", resolved.status().message());
      return kExitUsage;
    }
    entity = *resolved;
  }
  // Detection reads a store that ingest filled: it never creates one (an empty store in the wrong
  // folder would exit 0 having detected nothing).
  auto st = OpenExistingStore(o.store, /*read_only=*/o.dry_run);
  if (!st.ok()) {
    log::Error(st.status().ToString());
    return ExitCodeFor(st.status());
  }
  detect::StoreDetectOptions opt;
  opt.from = *from;
  opt.until = *until;
  opt.entity = entity;
  opt.config = *config;
  opt.write = !o.dry_run;
  // A country's events list its regions (by ISO 3166-2 code) and, with the geo datasets, its
  // ASNs (each ASN under its main country) as carriers.
  std::unique_ptr<geo::GeoDb> geodb;
  if (!o.no_geo) {
    geo::GeoOptions go;
    go.ipv6 = false;
    go.regions = false;
    auto db = geo::GeoDb::Open(go);
    if (db.ok()) {
      geodb = std::move(*db);
    } else {
      log::Warn("geo datasets unavailable (", db.status().ToString(),
                "); ASNs are not listed as carriers of country events");
    }
  }
  opt.parents = [&geodb](std::string_view entity) {
    std::vector<std::string> out = detect::RegionParents(entity);
    if (geodb && out.empty()) out = geodb->Parents(entity);
    return out;
  };
  auto report = detect::DetectInStore(**st, opt);
  if (!report.ok()) {
    log::Error(report.status().ToString());
    return ExitCodeFor(report.status());
  }
  for (const Status& p : report->problems) log::Warn(p.ToString());
  std::string out;
  if (ctx.json) {
    nlohmann::json events = nlohmann::json::array();
    for (const detect::Event& e : report->events) {
      nlohmann::json phases = nlohmann::json::array();
      for (const detect::Phase& p : e.phases) {
        phases.push_back({{"phase", detect::PhaseName(p.kind)},
                          {"start", p.start},
                          {"end", p.end ? nlohmann::json(*p.end) : nlohmann::json(nullptr)},
                          {"depth", p.depth}});
      }
      nlohmann::json signals = nlohmann::json::array();
      for (detect::Signal s : e.signals) signals.push_back(detect::SignalName(s));
      events.push_back({{"entity", e.entity},
                        {"start", e.start},
                        {"end", e.end ? nlohmann::json(*e.end) : nlohmann::json(nullptr)},
                        {"duration", e.duration_seconds()},
                        {"depth", e.depth},
                        {"score", e.score},
                        {"signals", signals},
                        {"phases", phases},
                        {"technique", detect::TechniqueName(e.technique)},
                        {"related", e.carriers}});
    }
    nlohmann::json j = {{"entities", report->entities},
                        {"series", report->series},
                        {"alerts", report->alerts},
                        {"events", events}};
    out = j.dump(2) + "\n";
  } else {
    out = std::to_string(report->entities) + " entities, " + std::to_string(report->series) +
          " series, " + std::to_string(report->alerts) + " alerts, " +
          std::to_string(report->events.size()) + " events" +
          (o.dry_run ? " (dry run, nothing written)\n" : "\n");
    for (const detect::Event& e : report->events) {
      out += "  " + e.entity + "  " + FormatIso8601(e.start) + " -> " +
             (e.end ? FormatIso8601(*e.end) : std::string("ongoing")) + "  depth " +
             std::to_string(e.depth).substr(0, 4) + "  " +
             std::string(detect::TechniqueName(e.technique)) + "\n";
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return report->problems.empty() ? kExitOk : kExitInputProblems;
}

}  // namespace

void RegisterDetectCommands(CLI::App& app, Context& ctx) {
  auto dopt = std::make_shared<DetectOptions>();
  CLI::App* det = app.add_subcommand(
      "detect",
      "Run the outage detector over stored series and write alerts and events back to the store "
      "(replacing those of an earlier run over the same entities and range)");
  det->add_option("--from", dopt->from, "Start (ISO 8601 UTC or Unix seconds)")->required();
  det->add_option("--until", dopt->until, "End, exclusive")->required();
  det->add_option("--entity", dopt->entity, "Only this entity (TYPE/CODE); default: all");
  AddStoreOption(det, &dopt->store);
  det->add_option("--config", dopt->config, "Detector configuration (TOML; default: built in)");
  det->add_flag("--dry-run", dopt->dry_run, "Compute and print, write nothing");
  det->add_flag("--no-geo", dopt->no_geo,
                "Do not load the geo datasets (ASNs are then not carriers of country events)");
  det->callback([dopt, &ctx] { ctx.exit_code = RunDetect(*dopt, ctx); });
}

}  // namespace blackout::cli
