// ParseCollector and ListArchiveFiles on any text. Input: lines "collector\nfrom\nuntil\nbase-url"
// (the --collector, --from, --until and --base-url of `blackout fetch`); missing lines are empty.
// Checks: a collector parses to itself (name kept, parsing again gives the same layout); for times
// that parse (ParseTime) at most 3 days apart, the file list never crashes or overflows (UBSan),
// is in time order with RIBs first at equal times, stays inside [BinStart(from), until), every
// time is aligned to its kind's period, every URL is base + "/" + relative, and no relative path
// has an empty, "." or ".." component (it is also a path below the local directory).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "../lines.h"
#include "blackout/base/time.h"
#include "blackout/bgp/archive.h"

using blackout::fuzz::NextLine;
using blackout::fuzz::SafeRelative;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blackout::bgp;
  using blackout::UnixSeconds;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view name = NextLine(&text);
  std::string_view from_text = NextLine(&text);
  std::string_view until_text = NextLine(&text);
  std::string_view base = NextLine(&text);
  auto c = ParseCollector(name);
  if (!c.ok()) {
    if (c.status().message().empty()) std::abort();
    return 0;
  }
  if (c->name != name || c->rib_period <= 0 || c->updates_period <= 0) std::abort();
  auto again = ParseCollector(c->name);
  if (!again.ok() || again->project != c->project || again->rib_period != c->rib_period ||
      again->updates_period != c->updates_period) {
    std::abort();
  }
  auto from = blackout::ParseTime(from_text);
  auto until = blackout::ParseTime(until_text);
  if (!from.ok() || !until.ok()) return 0;
  UnixSeconds span = 0;
  if (__builtin_sub_overflow(*until, *from, &span) || span > 3 * 86400) return 0;
  std::string clean_base(base);
  while (!clean_base.empty() && clean_base.back() == '/') clean_base.pop_back();
  auto files = ListArchiveFiles(*c, base, *from, *until, true, true);
  for (size_t i = 0; i < files.size(); ++i) {
    const ArchiveFile& f = files[i];
    int64_t period = f.kind == ArchiveFileKind::kRib ? c->rib_period : c->updates_period;
    if (f.time >= *until || f.time < blackout::BinStart(*from, period)) std::abort();
    if (f.time % period != 0) std::abort();
    if (f.url != clean_base + "/" + f.relative || !SafeRelative(f.relative)) std::abort();
    if (f.relative != ArchivePath(*c, f.kind, f.time)) std::abort();
    if (i > 0) {
      const ArchiveFile& p = files[i - 1];
      if (p.time > f.time) std::abort();
      if (p.time == f.time && p.kind == ArchiveFileKind::kUpdates &&
          f.kind == ArchiveFileKind::kRib) {
        std::abort();
      }
    }
  }
  return 0;
}
