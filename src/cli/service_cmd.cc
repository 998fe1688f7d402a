// blackout run | serve | simulate (`report` is registered by its own module): the observatory
// service and the scenario simulator.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "blackout/base/log.h"
#include "blackout/service/service.h"
#include "blackout/sim/scenario.h"
#include "blackout/sim/simulate.h"
#include "blackout/store/store.h"
#include "cli/command.h"
#include "cli/helpful.h"

namespace blackout::cli {
namespace {

int ExitFor(const Status& st) {
  return st.code() == StatusCode::kInvalidArgument || st.code() == StatusCode::kNotFound
             ? kExitUsage
             : kExitFailure;
}

// SIGINT/SIGTERM are blocked in every thread and received by one waiter thread with sigwait, which
// sets `stop`: no async-signal handler, no global state. REQUIRES: called before other threads
// start (they inherit the mask).
class StopSignals {
 public:
  explicit StopSignals(std::atomic<bool>* stop) : stop_(stop) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGUSR1);  // used to wake the waiter at shutdown
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    waiter_ = std::thread([this] {
      int sig = 0;
      while (sigwait(&set_, &sig) == 0) {
        if (sig == SIGUSR1 && done_) return;
        if (sig == SIGINT || sig == SIGTERM) {
          log::Info("received ", sig == SIGINT ? "SIGINT" : "SIGTERM", "; shutting down");
          *stop_ = true;
          return;
        }
      }
    });
  }
  ~StopSignals() {
    done_ = true;
    if (!*stop_) pthread_kill(waiter_.native_handle(), SIGUSR1);
    waiter_.join();
  }

 private:
  std::atomic<bool>* stop_;
  std::atomic<bool> done_{false};
  sigset_t set_;
  std::thread waiter_;
};

void PrintPass(const service::PassReport& r, bool json) {
  if (json) {
    std::printf(
        "{\"bgp_files\":%zu,\"bgp_bins\":%zu,\"probe_files\":%zu,\"probe_points\":%zu,"
        "\"log_files\":%zu,\"log_points\":%zu,\"log_malformed\":%zu,\"darknet_files\":%zu,"
        "\"darknet_points\":%zu,\"entities\":%zu,\"alerts\":%zu,\"events\":%zu,\"seconds\":%.2f}\n",
        r.bgp_files, r.bgp_bins, r.probe_files, r.probe_points, r.log_files, r.log_points,
        r.log_malformed, r.darknet_files, r.darknet_points, r.entities_detected, r.alerts, r.events,
        r.seconds);
  } else {
    std::printf(
        "ingested: %zu MRT files (%zu bins), %zu probe files (%zu points), %zu logs (%zu points, "
        "%zu malformed lines), %zu telescope captures (%zu points); detection over %zu entities: "
        "%zu alerts, %zu events (%.1f s)\n",
        r.bgp_files, r.bgp_bins, r.probe_files, r.probe_points, r.log_files, r.log_points,
        r.log_malformed, r.darknet_files, r.darknet_points, r.entities_detected, r.alerts, r.events,
        r.seconds);
  }
  if (!json && (r.ooni_files || r.ooni_events)) {
    std::printf(
        "ooni: %zu files (%zu measurements), %zu app-blocking events (OONI data, CC "
        "BY-NC-SA 4.0)\n",
        r.ooni_files, r.ooni_measurements, r.ooni_events);
  }
  for (const auto& s : r.skipped) std::printf("not run: %s\n", s.c_str());
  size_t shown = 0;
  for (const auto& p : r.problems) {
    if (++shown > 10) break;
    log::Warn(p);
  }
  std::fflush(stdout);
}

struct ServiceArgs {
  std::string config;
  std::string data_dir;
  std::string listen;
  std::string store;
  bool once = false;
};

int RunService(const ServiceArgs& a, Context& ctx, bool serve_only) {
  service::ServiceConfig cfg;
  if (!a.config.empty()) {
    auto loaded = service::LoadServiceConfig(a.config);
    if (!loaded.ok()) {
      log::Error(loaded.status().ToString());
      return ExitFor(loaded.status());
    }
    cfg = *loaded;
  }
  if (!a.data_dir.empty()) cfg.data_dir = a.data_dir;
  if (!a.store.empty()) cfg.store_url = a.store;
  if (!a.listen.empty()) {
    auto parsed =
        service::ParseServiceConfig("[server]\nlisten = \"" + a.listen + "\"\n", "--listen");
    if (!parsed.ok()) {
      log::Error(parsed.status().ToString());
      return kExitUsage;
    }
    cfg.host = parsed->host;
    cfg.port = parsed->port;
  }
  if (serve_only) {
    cfg.simulate = false;
    cfg.bgp.clear();
    cfg.probe_records.clear();
    cfg.logs.clear();
    cfg.ooni.clear();
    cfg.darknet.clear();
    cfg.bmp.clear();
    cfg.ris_live_url.clear();
    cfg.run_detection = false;
  }
  if (serve_only) {
    // `serve` reads a store that `run` filled: it never creates one.
    const std::string url =
        cfg.store_url.empty()
            ? "sqlite:" + (std::filesystem::path(cfg.data_dir) / "blackout.db").string()
            : cfg.store_url;
    auto existing = OpenExistingStore(url, /*read_only=*/true);
    if (!existing.ok()) {
      log::Error("serve: ", existing.status().ToString());
      return kExitFailure;
    }
  }
  std::atomic<bool> stop{false};
  StopSignals signals(&stop);
  auto started = std::chrono::steady_clock::now();
  service::Service service(cfg);
  service.SetStopFlag(&stop);
  Status st = service.Prepare();
  if (stop) {
    std::printf("stopped\n");
    return kExitOk;
  }
  if (!st.ok()) {
    log::Error(st.ToString());
    return ExitFor(st);
  }
  st = service.StartServer();
  if (!st.ok()) {
    log::Error(st.ToString());
    return kExitFailure;
  }
  if (!service.notice().empty() && !ctx.quiet) std::printf("%s\n", service.notice().c_str());
  std::printf("blackout is serving at %s (ingesting...)\n", service.url().c_str());
  std::fflush(stdout);
  auto pass = service.IngestPass();
  if (!pass.ok() && stop) {
    service.StopServer();
    std::printf("stopped (the first pass was cut short; the next run resumes it)\n");
    return kExitOk;
  }
  if (!pass.ok()) {
    log::Error(pass.status().ToString());
    service.StopServer();
    return kExitFailure;
  }
  if (!ctx.quiet) PrintPass(*pass, ctx.json);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("ready in %.1f s: dashboard and API at %s  (Ctrl-C to stop)\n", secs,
              service.url().c_str());
  std::fflush(stdout);
  if (a.once) {
    service.StopServer();
    return pass->problems.empty() ? kExitOk : kExitInputProblems;
  }
  service.RunUntil(stop, [&](const service::PassReport& r) {
    if (!ctx.quiet && (r.bgp_files || r.probe_files || r.log_files || r.darknet_points)) {
      PrintPass(r, ctx.json);
    }
  });
  std::printf("stopped\n");
  return kExitOk;
}

void AddServiceOptions(CLI::App* sub, ServiceArgs* a) {
  sub->add_option("--config", a->config, "Service configuration (TOML, docs/config.md)");
  sub->add_option("--data-dir", a->data_dir, "Data directory (default ./blackout-data)");
  sub->add_option("--listen", a->listen, "Address to serve on, HOST:PORT (default 127.0.0.1:8080)");
  sub->add_option("--store", a->store,
                  "Store URL (default sqlite:DATA_DIR/blackout.db; or clickhouse:http://...)");
  sub->add_flag("--once", a->once, "Ingest and detect once, then exit (no serving loop)");
}

void RegisterSimulate(CLI::App& app, Context& ctx) {
  struct Opts {
    std::string scenario;
    std::string outdir;
    int64_t seed = -1;
  };
  auto opts = std::make_shared<Opts>();
  CLI::App* sub = app.add_subcommand(
      "simulate",
      "Generate a scenario's inputs in their real formats: MRT RIB dumps and updates (bgpdump\n"
      "reads them), prober records (docs/probe.md), a web-server access log, and truth.json.\n"
      "Deterministic for a seed. Format of SCENARIO: docs/scenario.md.");
  sub->add_option("SCENARIO", opts->scenario,
                  "Scenario file (TOML), e.g. scenarios/kazakhstan-2022.toml")
      ->required();
  sub->add_option("OUTDIR", opts->outdir, "Output folder (created)")->required();
  sub->add_option("--seed", opts->seed, "Override the scenario's seed");
  sub->callback([opts, &ctx] {
    auto scenario = sim::LoadScenario(opts->scenario);
    if (!scenario.ok()) {
      log::Error(scenario.status().ToString());
      ctx.exit_code = ExitFor(scenario.status());
      return;
    }
    if (opts->seed >= 0) scenario->seed = static_cast<uint64_t>(opts->seed);
    auto out = sim::Simulate(*scenario, opts->outdir);
    if (!out.ok()) {
      log::Error(out.status().ToString());
      ctx.exit_code = kExitFailure;
      return;
    }
    if (ctx.json) {
      std::printf(
          "{\"scenario\":\"%s\",\"rib_files\":%zu,\"update_files\":%zu,"
          "\"bgp_messages\":%llu,\"probe_rounds\":%llu,\"log_lines\":%llu}\n",
          scenario->name.c_str(), out->rib_files.size(), out->update_files.size(),
          static_cast<unsigned long long>(out->bgp_messages),
          static_cast<unsigned long long>(out->probe_rounds),
          static_cast<unsigned long long>(out->log_lines));
    } else if (!ctx.quiet) {
      std::printf("%s\n", scenario->notice.c_str());
      std::printf(
          "wrote %s: %zu RIB dumps, %zu update files (%llu BGP messages), %llu probe "
          "rounds, %llu log lines, truth.json\n",
          opts->outdir.c_str(), out->rib_files.size(), out->update_files.size(),
          static_cast<unsigned long long>(out->bgp_messages),
          static_cast<unsigned long long>(out->probe_rounds),
          static_cast<unsigned long long>(out->log_lines));
    }
  });
}

}  // namespace

void RegisterServiceCommands(CLI::App& app, Context& ctx) {
  auto run_args = std::make_shared<ServiceArgs>();
  CLI::App* run = app.add_subcommand(
      "run",
      "Run the observatory: ingest, detect, serve the API and dashboard. Without --config: an\n"
      "SQLite store under ./blackout-data, the Kazakhstan scenario (a SIMULATION) generated once\n"
      "and ingested, served at http://127.0.0.1:8080. SIGINT/SIGTERM stop it cleanly.\n"
      "With --config, sources.bgp may name archives that run follows itself: ris:rrc00,\n"
      "routeviews:route-views2, URL templates (docs/archives.md; sources.bgp_backfill_days,\n"
      "sources.bgp_disk_budget_mb in docs/config.md).");
  AddServiceOptions(run, run_args.get());
  run->callback([run_args, &ctx] { ctx.exit_code = RunService(*run_args, ctx, false); });

  auto serve_args = std::make_shared<ServiceArgs>();
  CLI::App* serve = app.add_subcommand(
      "serve", "Serve the API and dashboard from an existing store (no ingest, no detection).");
  AddServiceOptions(serve, serve_args.get());
  serve->callback([serve_args, &ctx] { ctx.exit_code = RunService(*serve_args, ctx, true); });

  RegisterSimulate(app, ctx);
}

}  // namespace blackout::cli
