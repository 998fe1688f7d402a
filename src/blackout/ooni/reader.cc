#include "blackout/ooni/reader.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>

#include "blackout/base/input.h"
#include "blackout/base/text.h"
#include "blackout/ooni/decode.h"
#include "blackout/ooni/gunzip.h"

namespace blackout::ooni {
namespace {

namespace fs = std::filesystem;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsSingleDocument(const std::string& path) {
  return EndsWith(path, ".json") || EndsWith(path, ".json.gz");
}

bool IsMeasurementFile(const std::string& name) {
  return IsSingleDocument(name) || EndsWith(name, ".jsonl") || EndsWith(name, ".jsonl.gz");
}

// Decodes one record and hands it on, or reports it.
void Record(Decoder& decoder, std::string_view json, bool padded, const std::string& file,
            uint64_t line, Measurement* m, const MeasurementSink& sink, ReadStats* stats) {
  ++stats->records;
  Status st = padded ? decoder.DecodePadded(json, m) : decoder.Decode(json, m);
  if (st.ok()) {
    ++stats->measurements;
    sink(*m);
    return;
  }
  if (st.message().rfind("unknown test", 0) == 0) {
    ++stats->unknown_tests;
  } else {
    ++stats->malformed;
  }
  Location where;
  where.file = file;
  where.line = line;
  stats->Report(st.WithLocation(where));
}

// A growing window over a stream, kept with kJsonPadding initialised bytes after its end so that
// each line can be parsed in place.
class LineBuffer {
 public:
  char* WriteArea(size_t n) {
    if (start_ > 0 && start_ >= end_ / 2) {
      std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
      end_ -= start_;
      start_ = 0;
    }
    if (buf_.size() < end_ + n + kJsonPadding) buf_.resize((end_ + n + kJsonPadding) * 3 / 2);
    return buf_.data() + end_;
  }
  void Commit(size_t n) {
    end_ += n;
    std::memset(buf_.data() + end_, ' ', kJsonPadding);
  }
  // The next complete line (without '\n'), or false.
  bool NextLine(std::string_view* line) {
    const char* p =
        static_cast<const char*>(std::memchr(buf_.data() + start_, '\n', end_ - start_));
    if (p == nullptr) return false;
    size_t nl = static_cast<size_t>(p - buf_.data());
    *line = std::string_view(buf_.data() + start_, nl - start_);
    start_ = nl + 1;
    return true;
  }
  std::string_view Rest() const { return std::string_view(buf_.data() + start_, end_ - start_); }
  void Drop() { start_ = end_; }

 private:
  std::string buf_;
  size_t start_ = 0, end_ = 0;
};

}  // namespace

void ReadStats::Report(Status st) {
  if (problems.size() < max_problems_kept) problems.push_back(std::move(st));
}

void ReadJsonLines(std::string_view bytes, const std::string& name, const MeasurementSink& sink,
                   ReadStats* stats) {
  // Every non-blank line, decoded from a copy (nothing is known to follow `bytes`).
  Decoder decoder;
  Measurement m;
  LineReader lines(bytes);
  std::string_view line;
  uint64_t line_no = 0;
  while (lines.Next(&line, &line_no)) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (line.size() > kMaxMeasurementBytes) {
      ++stats->malformed;
      stats->Report(DataLoss("line longer than " + std::to_string(kMaxMeasurementBytes >> 20) +
                             " MiB: skipped")
                        .WithLocation(Location{name, {}, {}, line_no}));
      continue;
    }
    Record(decoder, line, false, name, line_no, &m, sink, stats);
  }
}

Status ReadMeasurements(const std::string& path, const MeasurementSink& sink, ReadStats* stats) {
  // gzip files go through ISA-L (gunzip.h: about twice libdeflate's rate); the rest, and stdin,
  // through InputStream (plain, bzip2, xz, zstd).
  std::unique_ptr<GzipFile> gz;
  std::unique_ptr<InputStream> in;
  if (path != "-" && LooksGzipped(path)) {
    BLACKOUT_ASSIGN_OR_RETURN(gz, GzipFile::Open(path));
  } else {
    BLACKOUT_ASSIGN_OR_RETURN(in, InputStream::Open(path));
  }
  auto read = [&](char* out, size_t n) {
    auto* p = reinterpret_cast<uint8_t*>(out);
    return gz ? gz->Read(p, n) : in->Read(p, n);
  };
  ++stats->files;
  Decoder decoder;
  Measurement m;
  LineBuffer buf;
  const bool whole = IsSingleDocument(path);
  uint64_t line_no = 0;
  bool skipping = false;  // inside an over-long line
  Status read_error;
  auto take_line = [&](std::string_view line) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;
    Record(decoder, line, true, path, line_no, &m, sink, stats);
  };
  for (;;) {
    constexpr size_t kChunk = 1 << 20;
    auto n = read(buf.WriteArea(kChunk), kChunk);
    if (!n.ok()) {
      read_error = n.status();
      break;
    }
    if (*n == 0) break;
    buf.Commit(*n);
    stats->bytes += *n;
    if (whole) {
      if (buf.Rest().size() > kMaxMeasurementBytes) break;
      continue;
    }
    std::string_view line;
    while (buf.NextLine(&line)) {
      if (skipping) {
        skipping = false;
        ++line_no;
        continue;
      }
      take_line(line);
    }
    if (!skipping && buf.Rest().size() > kMaxMeasurementBytes) {
      ++stats->malformed;
      stats->Report(DataLoss("line longer than " + std::to_string(kMaxMeasurementBytes >> 20) +
                             " MiB: skipped")
                        .WithLocation(Location{path, {}, {}, line_no + 1}));
      skipping = true;
    }
    if (skipping) buf.Drop();
  }
  if (whole) {
    std::string_view doc = buf.Rest();
    if (doc.find_first_not_of(" \t\r\n") != std::string_view::npos) {
      Record(decoder, doc, true, path, 1, &m, sink, stats);
    }
  } else if (!skipping && !buf.Rest().empty()) {
    take_line(buf.Rest());  // a last line without '\n'
  }
  if (!read_error.ok()) {
    ++stats->malformed;
    stats->Report(DataLoss(read_error.message()).WithLocation(Location{path, {}, {}, line_no}));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ListMeasurementFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (p == "-") {
      out.push_back(p);
    } else if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        if (it->is_regular_file(ec) && IsMeasurementFile(it->path().filename().string())) {
          found.push_back(it->path().string());
        }
      }
      if (ec) return IoError(p + ": " + ec.message());
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      out.push_back(p);
    } else {
      return NotFound(p + ": no such file or folder");
    }
  }
  return out;
}

}  // namespace blackout::ooni
