#include "blackout/ooni/reader.h"

#include <libdeflate.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "blackout/base/input.h"
#include "blackout/base/text.h"
#include "blackout/ooni/decode.h"

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

// A whole .gz file decompressed with libdeflate (2-3 times zlib's speed: gunzip is most of an
// import's time), every gzip member in turn, with kJsonPadding spaces after the text. False when
// the file is too large or damaged: the caller then streams it (which reports where it broke).
bool Gunzip(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) return false;
  const std::streamoff size = f.tellg();
  if (size < 18 || size > (std::streamoff{1} << 30)) return false;
  std::string in(static_cast<size_t>(size), '\0');
  f.seekg(0);
  if (!f.read(in.data(), size)) return false;
  std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> d(
      libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
  if (!d) return false;
  // The last member's ISIZE (RFC 1952 section 2.3.1) is a size hint; grow when it is short.
  const auto* tail = reinterpret_cast<const unsigned char*>(in.data() + in.size() - 4);
  size_t hint = tail[0] | tail[1] << 8 | tail[2] << 16 | static_cast<size_t>(tail[3]) << 24;
  out->clear();
  size_t pos = 0, used = 0;
  std::string buf(std::max<size_t>(hint, in.size() * 4) + kJsonPadding, ' ');
  while (pos < in.size()) {
    size_t in_used = 0, out_used = 0;
    auto rc =
        libdeflate_gzip_decompress_ex(d.get(), in.data() + pos, in.size() - pos, buf.data() + used,
                                      buf.size() - used - kJsonPadding, &in_used, &out_used);
    if (rc == LIBDEFLATE_INSUFFICIENT_SPACE) {
      if (buf.size() > (size_t{8} << 30)) return false;
      buf.resize(buf.size() * 2, ' ');
      continue;
    }
    if (rc != LIBDEFLATE_SUCCESS) return false;
    pos += in_used;
    used += out_used;
  }
  buf.resize(used);
  buf.append(kJsonPadding, ' ');
  *out = std::move(buf);
  return true;
}

// Every non-blank line of `text`, decoded: in place when `padded` (kJsonPadding bytes follow the
// text's end), else from a copy.
void Lines(Decoder& decoder, std::string_view text, bool padded, const std::string& path,
           const MeasurementSink& sink, ReadStats* stats) {
  Measurement m;
  LineReader lines(text);
  std::string_view line;
  uint64_t line_no = 0;
  while (lines.Next(&line, &line_no)) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (line.size() > kMaxMeasurementBytes) {
      ++stats->malformed;
      stats->Report(DataLoss("line longer than " + std::to_string(kMaxMeasurementBytes >> 20) +
                             " MiB: skipped")
                        .WithLocation(Location{path, {}, {}, line_no}));
      continue;
    }
    Record(decoder, line, padded, path, line_no, &m, sink, stats);
  }
}

}  // namespace

void ReadStats::Report(Status st) {
  if (problems.size() < max_problems_kept) problems.push_back(std::move(st));
}

void ReadJsonLines(std::string_view bytes, const std::string& name, const MeasurementSink& sink,
                   ReadStats* stats) {
  Decoder decoder;
  Lines(decoder, bytes, false, name, sink, stats);
}

Status ReadMeasurements(const std::string& path, const MeasurementSink& sink, ReadStats* stats) {
  if (EndsWith(path, ".jsonl.gz")) {
    std::string text;
    if (Gunzip(path, &text)) {
      ++stats->files;
      Decoder decoder;
      const size_t n = text.size() - kJsonPadding;
      stats->bytes += n;
      Lines(decoder, std::string_view(text.data(), n), true, path, sink, stats);
      return Status::Ok();
    }
  }
  BLACKOUT_ASSIGN_OR_RETURN(auto in, InputStream::Open(path));
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
    auto n = in->Read(reinterpret_cast<uint8_t*>(buf.WriteArea(kChunk)), kChunk);
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
