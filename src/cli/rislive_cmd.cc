// `blackout ris-live`: subscribe to RIS Live (or replay a recorded stream with --replay) and print
// every route element, as `bgpdump -m` lines or, with --json, one JSON object per line with its
// collector. Malformed messages, server errors and gaps go to stderr (docs/rislive.md).
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>

#include "blackout/mrt/format.h"
#include "blackout/rislive/source.h"
#include "cli/command.h"

namespace blackout::cli {
namespace {

struct RisLiveArgs {
  rislive::ClientOptions client;
  bool less_specific = false, no_more_specific = false, json_fields = false;
  std::string replay;
  uint64_t count = 0;
  int seconds = 0;
};

// Prints what the source hands over, on the source's thread.
class PrintingSink : public rislive::Sink {
 public:
  explicit PrintingSink(bool json) : json_(json) {}
  void Apply(std::string_view collector, std::span<const mrt::Element> elements) override {
    line_.clear();
    for (const mrt::Element& e : elements) {
      if (json_) {
        line_ += "{\"collector\":\"";
        line_ += collector;  // a host name RIS sent: letters, digits, dots
        line_ += "\",";
        const size_t at = line_.size();
        mrt::AppendJson(e, line_);
        line_.erase(at, 1);  // the element's own opening brace
        line_ += '\n';
      } else {
        mrt::AppendBgpdumpLine(e, line_);
      }
    }
    std::fwrite(line_.data(), 1, line_.size(), stdout);
    std::fflush(stdout);
    elements_ += elements.size();
  }
  void Gap(std::string_view what) override {
    std::fprintf(stderr, "blackout: gap: %.*s\n", static_cast<int>(what.size()), what.data());
  }
  uint64_t elements() const { return elements_; }

 private:
  bool json_;
  std::string line_;
  std::atomic<uint64_t> elements_{0};
};

int Replay(const RisLiveArgs& a, rislive::Source& source) {
  std::ifstream in(a.replay, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "blackout: cannot read %s\n", a.replay.c_str());
    return kExitFailure;
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string_view rest = text;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (line.find_first_not_of(" \r\t") != std::string_view::npos) source.Handle(line);
  }
  return kExitOk;
}

int Live(const RisLiveArgs& a, rislive::Source& source, const PrintingSink& sink) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before the client's thread starts
  Status run_status;
  std::thread reader([&] { run_status = source.Run(); });
  const time_t end = a.seconds > 0 ? std::time(nullptr) + a.seconds : 0;
  for (;;) {
    timespec wait{0, 200 * 1000 * 1000};
    if (sigtimedwait(&set, nullptr, &wait) > 0) break;
    if (end != 0 && std::time(nullptr) >= end) break;
    if (a.count != 0 && sink.elements() >= a.count) break;
    if (!run_status.ok()) break;
  }
  source.Stop();
  reader.join();
  if (!run_status.ok()) {
    std::fprintf(stderr, "blackout: %s\n", run_status.message().c_str());
    return ExitCodeFor(run_status);
  }
  return kExitOk;
}

int Run(RisLiveArgs a, const Context& ctx) {
  a.client.filters.more_specific = !a.no_more_specific;
  a.client.filters.less_specific = a.less_specific;
  PrintingSink sink(ctx.json);
  rislive::Source source(a.client, sink, rislive::ParserOptions{.prefer_raw = !a.json_fields});
  const int code = a.replay.empty() ? Live(a, source, sink) : Replay(a, source);
  const rislive::SourceStats s = source.stats();
  if (!ctx.quiet) {
    std::fprintf(
        stderr,
        "blackout ris-live: %llu connection(s), %llu gap(s), %llu messages, %llu "
        "elements, %llu malformed, %llu server error(s)\n",
        static_cast<unsigned long long>(s.connections), static_cast<unsigned long long>(s.gaps),
        static_cast<unsigned long long>(s.messages), static_cast<unsigned long long>(s.elements),
        static_cast<unsigned long long>(s.problems), static_cast<unsigned long long>(s.ris_errors));
  }
  if (code != kExitOk) return code;
  return s.problems + s.ris_errors > 0 ? kExitInputProblems : kExitOk;
}

}  // namespace

void RegisterRisLiveCommands(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<RisLiveArgs>();
  CLI::App* sub = app.add_subcommand(
      "ris-live",
      "Print RIS Live's route elements (bgpdump -m lines, or JSON with --json): subscribe with\n"
      "RIS Live's server-side filters, reconnect with back-off, report gaps and malformed\n"
      "messages on stderr; or --replay a recorded stream (one JSON message per line)");
  sub->add_option("--url", a->client.url, "RIS Live WebSocket URL (ws:// or wss://)")
      ->capture_default_str();
  sub->add_option("--host", a->client.filters.host, "Only this collector (rrc00, ...)");
  sub->add_option("--prefix", a->client.filters.prefix, "Only routes for this prefix");
  sub->add_flag("--no-more-specific", a->no_more_specific,
                "With --prefix: not its more specifics (RIS Live includes them by default)");
  sub->add_flag("--less-specific", a->less_specific, "With --prefix: its less specifics too");
  sub->add_option("--type", a->client.filters.type,
                  "Only this message type (UPDATE, RIS_PEER_STATE, OPEN, NOTIFICATION, KEEPALIVE)");
  sub->add_option("--peer", a->client.filters.peer, "Only this peer address");
  sub->add_option("--path", a->client.filters.path, "Only paths matching (RIS Live's syntax)");
  sub->add_option("--require", a->client.filters.require, "announcements or withdrawals");
  sub->add_option("--ca-file", a->client.ca_file, "PEM certificates to trust for wss://");
  sub->add_option("--replay", a->replay, "Parse this recorded stream instead of connecting");
  sub->add_flag("--json-fields", a->json_fields,
                "Decode UPDATEs from the JSON fields, not from the raw BGP message");
  sub->add_option("--count", a->count, "Stop after this many elements (0: no limit)");
  sub->add_option("--seconds", a->seconds, "Stop after this many seconds (0: until signalled)");
  sub->callback([a, &ctx] { ctx.exit_code = Run(*a, ctx); });
}

}  // namespace blackout::cli
