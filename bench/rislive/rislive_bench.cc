// RIS Live message parsing into elements (issue 17), one core, in memory; prints figures for
// docs/rislive.md. Side by side in one run:
//   blackout raw   Parser with prefer_raw: JSON by simdjson, UPDATEs from `raw` (MRT decoders)
//   blackout json  Parser without prefer_raw: UPDATEs from the JSON fields
//   nlohmann       nlohmann::json::parse of each line (JSON only, no elements): the JSON library
//                  the project used before, as the cost of the JSON step alone
//   python3        `python3 -c` json.loads over the same lines (JSON only): the floor
//
//   blackout_rislive_bench [FILE] [SECONDS]   FILE defaults to
//   $BLACKOUT_DATA/ris-live/morrowc-rislive/1k-msgs; each contender runs about SECONDS (default 2).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "blackout/rislive/parser.h"

using namespace blackout;

namespace {

double CpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

struct Figure {
  double messages_per_s = 0;
  uint64_t elements_per_pass = 0, problems_per_pass = 0;
};

// Runs `pass` (one pass over every line; returns elements) until `seconds` of CPU are used.
template <typename F>
Figure Measure(uint64_t lines_per_pass, double seconds, F pass) {
  Figure f;
  pass(&f);  // warm-up, and the counts
  uint64_t passes = 0;
  const double start = CpuSeconds();
  double used = 0;
  do {
    Figure scratch;
    pass(&scratch);
    ++passes;
    used = CpuSeconds() - start;
  } while (used < seconds);
  f.messages_per_s = static_cast<double>(passes * lines_per_pass) / used;
  return f;
}

double PythonMessagesPerSecond(const std::string& file, double seconds) {
  std::ostringstream cmd;
  cmd << "python3 -c '\n"
         "import json, sys, time\n"
         "lines = [l for l in open(sys.argv[1], \"rb\").read().split(b\"\\n\") if l.strip()]\n"
         "n = 0\n"
         "t = time.process_time()\n"
         "while time.process_time() - t < float(sys.argv[2]):\n"
         "    for l in lines:\n"
         "        try: json.loads(l)\n"
         "        except ValueError: pass\n"
         "    n += len(lines)\n"
         "print(n / (time.process_time() - t))\n' "
      << file << " " << seconds;
  FILE* p = popen(cmd.str().c_str(), "r");
  if (p == nullptr) return 0;
  double rate = 0;
  if (std::fscanf(p, "%lf", &rate) != 1) rate = 0;
  pclose(p);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  const char* data = std::getenv("BLACKOUT_DATA");
  std::string file =
      argc > 1 && argv[1][0] != 0
          ? argv[1]
          : std::string(data ? data : BLACKOUT_DATA_DEFAULT) + "/ris-live/morrowc-rislive/1k-msgs";
  const double seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", file.c_str());
    return 1;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.append(rislive::Parser::padding(), '\0');  // every line parses in place
  const std::string_view stream(text.data(), text.size() - rislive::Parser::padding());
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < stream.size();) {
    size_t nl = stream.find('\n', pos);
    if (nl == std::string_view::npos) nl = stream.size();
    if (nl > pos) lines.emplace_back(stream.substr(pos, nl - pos));
    pos = nl + 1;
  }
  const uint64_t n = lines.size();

  auto blackout = [&](bool prefer_raw) {
    rislive::Parser parser(rislive::ParserOptions{.prefer_raw = prefer_raw});
    return Measure(n, seconds, [&](Figure* f) {
      rislive::LineStats s = rislive::ParseLines(parser, stream, {}, {});
      f->elements_per_pass = s.elements;
      f->problems_per_pass = s.problems;
    });
  };
  const Figure raw = blackout(true);
  const Figure json = blackout(false);
  const Figure nl = Measure(n, seconds, [&](Figure* f) {
    uint64_t bad = 0;
    for (const std::string& l : lines) {
      auto j = nlohmann::json::parse(l, nullptr, false);
      bad += j.is_discarded();
    }
    f->problems_per_pass = bad;
  });
  const double python = PythonMessagesPerSecond(file, seconds);

  std::printf("RIS Live parsing, %s: %llu messages, %zu bytes, one core (CPU time)\n", file.c_str(),
              static_cast<unsigned long long>(n), stream.size());
  std::printf("%-34s %14s %10s %9s %12s\n", "contender", "messages/s", "elements", "problems",
              "vs python3");
  auto row = [&](const char* name, const Figure& f, bool has_elements) {
    std::printf("%-34s %14.0f %10s %9llu %11.1fx\n", name, f.messages_per_s,
                has_elements ? std::to_string(f.elements_per_pass).c_str() : "-",
                static_cast<unsigned long long>(f.problems_per_pass),
                python > 0 ? f.messages_per_s / python : 0.0);
  };
  row("blackout (simdjson + raw via MRT)", raw, true);
  row("blackout (simdjson, JSON fields)", json, true);
  row("nlohmann::json::parse (JSON only)", nl, false);
  std::printf("%-34s %14.0f %10s %9s %11.1fx\n", "python3 json.loads (JSON only)", python, "-", "-",
              1.0);
  return 0;
}
