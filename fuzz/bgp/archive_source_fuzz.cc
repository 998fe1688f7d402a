// ParseArchiveSource and ListSourceFiles on any text. Input: lines "source\nfrom" (an entry of
// sources.bgp / `fetch bgp --source`, and a time); missing lines are empty.
// Checks: an error says what is wrong; an accepted source has a collector that is one safe path
// segment, positive periods, a RIB period exactly when it has a RIB template; parsing its text
// again gives the same source; for a time that parses, the files of the next day are in time order
// (RIBs first at equal times), aligned to their periods, their URLs are the templates expanded, and
// every relative path (a path below the local cache) has no empty, "." or ".." component and starts
// with the collector (templates) or is ArchivePath (ris:/routeviews:).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "../lines.h"
#include "blackout/base/time.h"
#include "blackout/bgp/archive.h"

using blackout::fuzz::NextLine;
using blackout::fuzz::SafeRelative;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blackout::bgp;
  using blackout::UnixSeconds;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view spec = NextLine(&text);
  std::string_view time_text = NextLine(&text);
  auto s = ParseArchiveSource(spec);
  if (!s.ok()) {
    if (s.status().message().empty()) std::abort();
    return 0;
  }
  const std::string& c = s->collector;
  if (c.empty() || c.find('/') != std::string::npos || c == "." || c == "..") std::abort();
  if (s->updates_period <= 0 || s->updates_url.empty()) std::abort();
  if (s->rib_url.empty() != (s->rib_period == 0) || s->rib_period < 0) std::abort();
  auto again = ParseArchiveSource(s->spec);
  if (!again.ok() || again->collector != c || again->updates_url != s->updates_url ||
      again->rib_url != s->rib_url || again->updates_period != s->updates_period ||
      again->rib_period != s->rib_period || again->backfill_days != s->backfill_days) {
    std::abort();
  }
  auto from = blackout::ParseTime(time_text);
  if (!from.ok() || *from < -(int64_t{1} << 40) || *from > (int64_t{1} << 40)) return 0;
  const UnixSeconds until = *from + 86400;
  auto files = ListSourceFiles(*s, *from, until, true, true);
  for (size_t i = 0; i < files.size(); ++i) {
    const ArchiveFile& f = files[i];
    bool rib = f.kind == ArchiveFileKind::kRib;
    int64_t period = rib ? s->rib_period : s->updates_period;
    if (f.time >= until || f.time < blackout::BinStart(*from, period)) std::abort();
    if (f.time % period != 0) std::abort();
    if (f.url != ExpandTemplate(rib ? s->rib_url : s->updates_url, f.time)) std::abort();
    if (!SafeRelative(f.relative)) std::abort();
    if (s->archive ? f.relative != ArchivePath(*s->archive, f.kind, f.time)
                   : f.relative.rfind(c + "/", 0) != 0) {
      std::abort();
    }
    if (i > 0) {
      const ArchiveFile& p = files[i - 1];
      if (p.time > f.time) std::abort();
      if (p.time == f.time && p.kind == ArchiveFileKind::kUpdates && rib) std::abort();
    }
  }
  return 0;
}
