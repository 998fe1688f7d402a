// Iterates every element of each FILE (any compression) through MrtReader, without output: the
// "parse compressed input" side of bench/mrt/run.sh, to compare with zcat/bzcat alone. Prints one
// line per file: name, compression, records, elements, problems, wall seconds, elements/s.
#include <chrono>
#include <cstdio>

#include "blackout/mrt/reader.h"

int main(int argc, char** argv) {
  int rc = 0;
  for (int i = 1; i < argc; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto reader = blackout::mrt::MrtReader::Open(argv[i]);
    if (!reader.ok()) {
      std::fprintf(stderr, "%s\n", reader.status().ToString().c_str());
      rc = 2;
      continue;
    }
    uint64_t elements = 0;
    for (;;) {
      auto r = (*reader)->Next();
      if (!r.ok() || *r == nullptr) break;
      elements += (*r)->elements.size();
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto& st = (*reader)->stats();
    std::printf("%s %s records %llu elements %llu problems %llu %.3f s %.0f elements/s\n", argv[i],
                blackout::CompressionName((*reader)->input().compression()),
                static_cast<unsigned long long>(st.records),
                static_cast<unsigned long long>(elements),
                static_cast<unsigned long long>(st.problems), s, elements / s);
    if (st.problems > 0) rc = 1;
  }
  return rc;
}
