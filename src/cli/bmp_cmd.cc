// `blackout bmp read` and `blackout bmp listen`: BMP (RFC 7854) sessions replayed from captures or
// received live, into a routing view; prints every monitored peer with its route counts
// (docs/bmp.md).
#include <signal.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "blackout/bgp/live.h"
#include "blackout/bmp/replay.h"
#include "blackout/bmp/station.h"
#include "cli/command.h"

namespace blackout::cli {
namespace {

// One line per monitored peer: collector, address, AS, IPv4 and IPv6 prefixes.
void PrintPeers(bgp::LiveView& live, bool json) {
  live.With([json](bgp::RoutingView& view) {
    bool first = true;
    if (json) std::printf("{\"peers\":[");
    for (const bgp::PeerInfo& p : view.peers()) {
      if (json) {
        std::printf("%s{\"collector\":\"%s\",\"peer\":\"%s\",\"asn\":%u,\"v4\":%llu,\"v6\":%llu}",
                    first ? "" : ",", p.collector.c_str(), p.ip.ToString().c_str(), p.asn,
                    static_cast<unsigned long long>(p.v4_prefixes),
                    static_cast<unsigned long long>(p.v6_prefixes));
      } else {
        std::printf("%s\t%s\tAS%u\t%llu\t%llu\n", p.collector.c_str(), p.ip.ToString().c_str(),
                    p.asn, static_cast<unsigned long long>(p.v4_prefixes),
                    static_cast<unsigned long long>(p.v6_prefixes));
      }
      first = false;
    }
    if (json) std::printf("],\"prefixes\":%zu}\n", view.prefix_count());
  });
}

int Read(const std::vector<std::string>& files, const Context& ctx) {
  auto streams = bmp::LoadStreams(files);
  if (!streams.ok()) {
    std::fprintf(stderr, "blackout: %s\n", streams.status().message().c_str());
    return ExitCodeFor(streams.status());
  }
  bgp::LiveView live(bgp::ViewOptions{.full_feed_v4 = 1, .full_feed_v6 = 1});
  std::vector<std::string> problems;
  auto sessions = bmp::ReplayStreams(*streams, &live, &problems);
  uint64_t messages = 0, elements = 0;
  for (const auto& s : sessions) {
    messages += s->stats().messages;
    elements += s->stats().elements;
  }
  if (!ctx.json) std::printf("# collector\tpeer\tasn\tv4_prefixes\tv6_prefixes\n");
  PrintPeers(live, ctx.json);
  for (const auto& p : problems) std::fprintf(stderr, "blackout: %s\n", p.c_str());
  if (!ctx.quiet) {
    std::fprintf(stderr,
                 "blackout bmp read: %zu session(s), %llu messages, %llu routes, %zu problem(s)\n",
                 sessions.size(), static_cast<unsigned long long>(messages),
                 static_cast<unsigned long long>(elements), problems.size());
  }
  return problems.empty() ? kExitOk : kExitInputProblems;
}

int Listen(const std::vector<std::string>& listen, int seconds, int every, const Context& ctx) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before the station's thread starts
  bgp::LiveView live(bgp::ViewOptions{.full_feed_v4 = 1, .full_feed_v6 = 1});
  bmp::StationOptions options;
  options.listen = listen;
  bmp::Station station(options, &live);
  if (Status st = station.Start(); !st.ok()) {
    std::fprintf(stderr, "blackout: %s\n", st.message().c_str());
    return ExitCodeFor(st);
  }
  for (size_t i = 0; i < listen.size(); ++i) {
    std::fprintf(stderr, "blackout bmp listen: %s (port %d)\n", listen[i].c_str(),
                 station.ports()[i]);
  }
  const time_t end = seconds > 0 ? std::time(nullptr) + seconds : 0;
  time_t next = std::time(nullptr) + every;
  for (;;) {
    timespec wait{1, 0};
    if (sigtimedwait(&set, nullptr, &wait) > 0) break;
    const time_t now = std::time(nullptr);
    if (end != 0 && now >= end) break;
    if (every > 0 && now >= next) {
      const bmp::StationStats s = station.stats();
      std::fprintf(stderr, "sessions %llu, messages %llu, routes %llu, problems %llu\n",
                   static_cast<unsigned long long>(s.sessions_open),
                   static_cast<unsigned long long>(s.messages),
                   static_cast<unsigned long long>(s.elements),
                   static_cast<unsigned long long>(s.problems));
      next = now + every;
    }
  }
  // Peers as they stand before the sessions close (closing drops their routes).
  if (!ctx.json) std::printf("# collector\tpeer\tasn\tv4_prefixes\tv6_prefixes\n");
  PrintPeers(live, ctx.json);
  station.Stop();
  return kExitOk;
}

}  // namespace

void RegisterBmpCommands(CLI::App& app, Context& ctx) {
  CLI::App* bmp = app.add_subcommand("bmp", "BMP (RFC 7854) sessions from routers");
  bmp->require_subcommand(1);
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* read = bmp->add_subcommand(
      "read",
      "Replay recorded BMP sessions (pcap captures or raw BMP streams; one session per router\n"
      "address) and print every monitored peer with its IPv4 and IPv6 prefix counts.");
  read->add_option("files", *files, "Capture or raw stream files")->required();
  read->callback([files, &ctx] { ctx.exit_code = Read(*files, ctx); });

  auto listen = std::make_shared<std::vector<std::string>>();
  auto seconds = std::make_shared<int>(0);
  auto every = std::make_shared<int>(10);
  CLI::App* lst = bmp->add_subcommand(
      "listen",
      "Run a BMP station: accept routers' sessions, keep their peers' tables, print the peers\n"
      "at the end (SIGINT/SIGTERM or --seconds). `blackout run` does the same with sources.bmp.");
  lst->add_option("--listen", *listen, "HOST:PORT to listen on (repeatable)")->required();
  lst->add_option("--seconds", *seconds, "Stop after this many seconds (0: run until signalled)");
  lst->add_option("--stats-every", *every, "Print counters every N seconds to stderr (0: never)");
  lst->callback(
      [listen, seconds, every, &ctx] { ctx.exit_code = Listen(*listen, *seconds, *every, ctx); });
}

}  // namespace blackout::cli
