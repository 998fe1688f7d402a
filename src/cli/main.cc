// `blackout`: runs `mrt` itself and hands every other command (and the top-level
// --help) to `blackout-full` with execv, so that the MRT tools start as fast as bgpdump does. The
// reason and the measurements are in app.h and docs/cli.md.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "cli/app.h"

namespace {

using namespace blackout::cli;

// The subcommand named on the command line: the first argument that is not an option. The global
// options (--json, -v, -q) take no value, so nothing else can come before it.
std::string_view CommandOf(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") return i + 1 < argc ? std::string_view(argv[i + 1]) : std::string_view();
    if (!a.empty() && a[0] != '-') return a;
  }
  return {};
}

bool AskedForVersion(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--version") return true;
  return false;
}

// Where blackout-full is: beside this executable (the build tree, or bin/ when both are installed
// there), else in ../libexec/blackout/ (the layout `cmake --install` makes). This executable is
// found through /proc/self/exe, or argv[0] when /proc is not mounted and argv[0] has a directory.
std::vector<std::string> FullCandidates(const char* argv0) {
  std::vector<std::string> out;
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  std::string path = n > 0 ? std::string(self, static_cast<size_t>(n)) : std::string(argv0);
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return out;
  const std::string dir = path.substr(0, slash + 1);
  out.push_back(dir + kFullExecutable);
  out.push_back(dir + "../libexec/blackout/" + kFullExecutable);
  return out;
}

[[noreturn]] void RunFull(char** argv) {
  std::vector<std::string> candidates = FullCandidates(argv[0]);
  int err = ENOENT;
  for (const std::string& path : candidates) {
    if (access(path.c_str(), X_OK) != 0) continue;
    execv(path.c_str(), argv);
    err = errno;  // exec failed: report the first executable that exists
    std::fprintf(stderr, "blackout: cannot run %s: %s\n", path.c_str(), std::strerror(err));
    _exit(kExitFailure);
  }
  std::fprintf(stderr,
               "blackout: %s not found beside this executable or in ../libexec/blackout/ (%s); "
               "only `blackout mrt` runs without it\n",
               kFullExecutable, std::strerror(err));
  _exit(kExitFailure);
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view command = CommandOf(argc, argv);
  bool own = command == "mrt" || (command.empty() && AskedForVersion(argc, argv));
  if (!own) RunFull(argv);
  CLI::App app;
  Context ctx;
  SetUpApp(app, ctx);
  RegisterMrtCommands(app, ctx);
  return ParseAndRun(app, argc, argv, ctx);
}
