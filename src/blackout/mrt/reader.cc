#include "blackout/mrt/reader.h"

#include <algorithm>
#include <cstring>

#include "blackout/mrt/internal/wire.h"

namespace blackout::mrt {

using internal::Get16;
using internal::Get32;

namespace {

constexpr size_t kHeaderLength = 12;          // RFC 6396 §2
constexpr size_t kChunk = 256 * 1024;         // read granularity
constexpr size_t kMinRecordRoom = 64 * 1024;  // the buffer's first size: kChunk + this (every BGP
                                              // message fits, RFC 8654 ones included)
constexpr size_t kMaxStretch = 64 * 1024;     // longest gap a record length may be wrong by
constexpr size_t kScanWindow = 1024 * 1024;   // look-ahead kept while searching for a header
constexpr int64_t kMaxTimeJump = 30 * 86400;
constexpr size_t kMaxKeptProblems = 1000;
constexpr size_t kChainSlack = 8;

struct Header {
  uint32_t time;
  uint16_t type;
  uint16_t subtype;
  uint32_t length;
};

Header ParseHeader(const uint8_t* p) {
  return Header{Get32(p), Get16(p + 4), Get16(p + 6), Get32(p + 8)};
}

// Whether a header could start a real record: a known type with a known subtype and a sane length.
bool PlausibleHeader(const Header& h, uint32_t max_length) {
  if (h.length > max_length || h.length < 4) return false;
  switch (h.type) {
    case kMrtBgp:
      return h.subtype <= kBgpKeepalive;
    case kMrtTableDump:
      return h.subtype >= 1 && h.subtype <= 4;
    case kMrtTableDumpV2:
      return h.subtype >= kPeerIndexTable && h.subtype <= kRibGenericAddPath;
    case kMrtBgp4mp:
    case kMrtBgp4mpEt:
      return h.subtype <= kBgp4mpMessageAs4LocalAddPath;
    case 11:  // OSPFv2
    case 32:  // ISIS
    case 33:  // ISIS_ET
    case 48:  // OSPFv3
    case 49:  // OSPFv3_ET
      return h.subtype < 16;
    default:
      return false;
  }
}

}  // namespace

std::string Problem::ToString() const {
  std::string s = where.ToString();
  if (!s.empty()) s += ": ";
  return s + what;
}

class MrtReader::Impl {
 public:
  explicit Impl(MrtReader* owner) : r_(owner) {
    // Uncompressed bytes already in memory are parsed in place (no copy into buf_).
    const std::span<const uint8_t> memory = r_->input_->in_memory();
    if (!memory.empty()) {
      base_ = memory.data();
      end_ = memory.size();
      eof_ = true;
    }
  }

  Result<const Record*> Next() {
    if (!fatal_.ok()) return fatal_;
    if (has_deferred_) {
      has_deferred_ = false;
      if (!Report(*deferred_.where.offset, *deferred_.where.record, deferred_.what)) return fatal_;
    }
    while (true) {
      if (done_) return static_cast<const Record*>(nullptr);
      size_t avail = Ensure(kHeaderLength);
      if (avail == 0) {
        Finish();
        continue;
      }
      if (avail < kHeaderLength) {
        if (!Report(offset_, r_->stats_.records + 1,
                    "truncated MRT header: " + std::to_string(avail) + " bytes at the end")) {
          return fatal_;
        }
        Consume(avail);
        continue;
      }
      Header h = ParseHeader(At(0));
      if (!PlausibleHeader(h, r_->options_.max_record_length)) {
        if (!Resync(h)) return fatal_;
        continue;
      }
      const size_t need = kHeaderLength + h.length;
      avail = Ensure(need + kHeaderLength);
      const uint64_t number = r_->stats_.records + 1;
      if (avail < need) {
        r_->stats_.records++;
        if (!Report(offset_, number,
                    "record truncated: " + std::to_string(avail - kHeaderLength) + " of " +
                        std::to_string(h.length) + " body bytes present")) {
          return fatal_;
        }
        Consume(avail);
        continue;
      }
      bool next_ok = avail < need + kHeaderLength ||
                     PlausibleHeader(ParseHeader(At(need)), r_->options_.max_record_length);
      size_t body_len = h.length;
      size_t gap = 0;  // bytes between the claimed end of this record and the next header
      if (!next_ok) {
        const size_t found = Scan(need, true, h.time, kMaxStretch + kHeaderLength);
        gap = found == SIZE_MAX ? SIZE_MAX : found - need;
      }
      r_->stats_.records++;
      const uint64_t offset = offset_;
      pending_.clear();
      const Record* rec = &Decode(h, body_len);
      if (gap != 0 && gap != SIZE_MAX && rec->status == RecordStatus::kMalformed) {
        // The length field may be short: does the record decode cleanly with the gap included?
        std::vector<std::string> first = std::move(pending_);
        pending_.clear();
        const Record* longer = &Decode(h, body_len + gap);
        if (longer->status != RecordStatus::kMalformed) {
          rec = longer;
          if (!Report(offset, number,
                      "record length " + std::to_string(h.length) + " is " + std::to_string(gap) +
                          " bytes short of the next record header; read " +
                          std::to_string(h.length + gap) + " bytes")) {
            return fatal_;
          }
          body_len += gap;
          gap = 0;
        } else {
          pending_.clear();
          rec = &Decode(h, body_len);  // the shorter reading, with its problems
        }
      }
      if (gap != 0 && rec->status == RecordStatus::kMalformed) {
        // Neither the claimed length nor a nearby header make sense of this record: its length
        // field is broken. Drop it and look for the next header right after its own header.
        std::string what = MrtTypeName(h.type) + "/" + MrtSubtypeName(h.type, h.subtype) +
                           " record with length " + std::to_string(h.length) +
                           " is malformed and not followed by an MRT header";
        if (!pending_.empty()) what += " (" + pending_.front() + ")";
        if (!Report(offset, number, what + "; dropped, resynchronising")) {
          return fatal_;
        }
        Consume(1);  // its header may overlap the next one
        continue;
      }
      for (const std::string& what : pending_) {
        if (!Report(offset, number,
                    MrtTypeName(h.type) + "/" + MrtSubtypeName(h.type, h.subtype) + ": " + what)) {
          return fatal_;
        }
      }
      if (rec->status == RecordStatus::kSkipped) r_->stats_.records_skipped++;
      r_->stats_.elements += rec->elements.size();
      Record& out = const_cast<Record&>(*rec);
      out.number = number;
      out.offset = offset;
      Consume(kHeaderLength + body_len);
      // gap == SIZE_MAX: the next call finds an implausible header and resynchronises.
      if (gap != SIZE_MAX && gap > 0) {
        // Reported on the next call, so that this (sound) record is returned even in strict mode.
        deferred_ = Problem{Location{r_->input_->name(), offset_, number + 1, std::nullopt},
                            "next MRT header found " + std::to_string(gap) +
                                " bytes after the end of record " + std::to_string(number) +
                                " (wrong record length or garbage); " + std::to_string(gap) +
                                " bytes skipped"};
        has_deferred_ = true;
        Consume(gap);
      }
      last_time_ = h.time;
      have_time_ = true;
      return rec;
    }
  }

  RecordDecoder decoder_;

 private:
  const uint8_t* At(size_t rel) const { return base_ + pos_ + rel; }

  const Record& Decode(const Header& h, size_t body_len) {
    return decoder_.Decode(h.time, h.type, h.subtype,
                           std::span<const uint8_t>(At(kHeaderLength), body_len), &pending_);
  }

  void Consume(size_t n) {
    pos_ += n;
    offset_ += n;
    r_->stats_.bytes += n;
  }

  // Makes at least n bytes available from pos_ unless the input ends first; returns the count.
  size_t Ensure(size_t n) {
    while (end_ - pos_ < n && !eof_) {
      if (cap_ - pos_ < n + kChunk) {
        // Compact, then grow so a whole record plus a chunk fits (without zero-filling).
        if (pos_ > 0) {
          std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
          end_ -= pos_;
          pos_ = 0;
        }
        if (cap_ < n + kChunk) {
          // At least kMinRecordRoom, and doubling: growing by each new longest record instead
          // re-allocated (and page-faulted) 256 KiB a dozen times per file, 70% of the page
          // faults of a 3 MB update file.
          const size_t cap = std::max({n + kChunk, kChunk + kMinRecordRoom, 2 * cap_});
          auto fresh = std::make_unique_for_overwrite<uint8_t[]>(cap);
          if (end_ > 0) std::memcpy(fresh.get(), buf_.get(), end_);
          buf_ = std::move(fresh);
          cap_ = cap;
        }
        base_ = buf_.get();
      }
      Result<size_t> got = r_->input_->Read(buf_.get() + end_, cap_ - end_);
      if (!got.ok()) {
        stream_error_ = got.status();
        eof_ = true;
        break;
      }
      if (*got == 0) {
        eof_ = true;
        break;
      }
      end_ += *got;
    }
    return end_ - pos_;
  }

  // Looks for a plausible header from rel offset `from` (relative to pos_) up to `limit` bytes
  // further, whose time is near `near_time`. Returns its relative offset or SIZE_MAX.
  size_t Scan(size_t from, bool check_time, uint32_t near_time, size_t limit) {
    for (size_t x = from; x < from + limit; ++x) {
      size_t avail = Ensure(x + kHeaderLength);
      if (avail < x + kHeaderLength) return avail <= x ? x : SIZE_MAX;  // end of input
      Header h = ParseHeader(At(x));
      if (!PlausibleHeader(h, r_->options_.max_record_length)) continue;
      const int64_t dt = int64_t{h.time} - int64_t{near_time};
      if (check_time && (dt > kMaxTimeJump || dt < -kMaxTimeJump)) continue;
      // Chain check: the record it starts must end at the input's end or at another header.
      const size_t next = x + kHeaderLength + h.length;
      // A few bytes of slack: some collectors wrote every length a little short.
      if (h.length <= kScanWindow) {
        avail = Ensure(next + kChainSlack + kHeaderLength);
        if (avail < next) continue;                   // would be truncated: keep looking
        bool chained = avail < next + kHeaderLength;  // ends at (or just before) the input's end
        for (size_t d = 0; !chained && d <= kChainSlack && next + d + kHeaderLength <= avail; ++d) {
          chained = PlausibleHeader(ParseHeader(At(next + d)), r_->options_.max_record_length);
        }
        if (!chained) continue;
      }
      return x;
    }
    return SIZE_MAX;
  }

  // The header at pos_ is implausible: skip to the next plausible one.
  bool Resync(const Header& bad) {
    const uint64_t start = offset_;
    const uint64_t number = r_->stats_.records + 1;
    const uint32_t near = last_time_;
    size_t skipped = 0;
    while (true) {
      size_t found = Scan(1, have_time_, near, kScanWindow);
      if (found != SIZE_MAX) {
        skipped += found;
        Consume(found);
        break;
      }
      size_t avail = Ensure(kScanWindow + kHeaderLength);
      if (avail <= kScanWindow) {  // input ends: everything left is garbage
        skipped += avail;
        Consume(avail);
        break;
      }
      skipped += kScanWindow;
      Consume(kScanWindow);
    }
    return Report(start, number,
                  "implausible MRT header (type " + std::to_string(bad.type) + ", subtype " +
                      std::to_string(bad.subtype) + ", length " + std::to_string(bad.length) +
                      "); " + std::to_string(skipped) +
                      " bytes skipped to the next plausible header");
  }

  void Finish() {
    if (!stream_error_.ok()) {
      Status st = stream_error_;
      stream_error_ = Status::Ok();
      if (!Report(st.where().offset.value_or(offset_), r_->stats_.records + 1, st.message()))
        return;
    }
    done_ = true;
  }

  // Records a problem; returns false if iteration must stop (strict mode).
  bool Report(uint64_t offset, uint64_t record, std::string what) {
    Problem pr{Location{r_->input_->name(), offset, record, std::nullopt}, std::move(what)};
    r_->stats_.problems++;
    if (r_->options_.on_problem) r_->options_.on_problem(pr);
    if (r_->problems_.size() < kMaxKeptProblems) r_->problems_.push_back(pr);
    if (r_->options_.mode == ReadMode::kStrict) {
      fatal_ = Status(StatusCode::kDataLoss, pr.what, pr.where);
      done_ = true;
      return false;
    }
    return true;
  }

  MrtReader* r_;
  std::unique_ptr<uint8_t[]> buf_;
  size_t cap_ = 0;
  const uint8_t* base_ = nullptr;  // buf_, or the input's in-memory bytes
  size_t pos_ = 0, end_ = 0;
  uint64_t offset_ = 0;
  bool eof_ = false;
  bool done_ = false;
  Status stream_error_;
  Status fatal_;
  uint32_t last_time_ = 0;
  bool have_time_ = false;
  std::vector<std::string> pending_;
  Problem deferred_;
  bool has_deferred_ = false;
};

MrtReader::MrtReader(std::unique_ptr<InputStream> input, ReaderOptions options)
    : input_(std::move(input)), options_(std::move(options)), impl_(std::make_unique<Impl>(this)) {}

MrtReader::~MrtReader() = default;

Result<std::unique_ptr<MrtReader>> MrtReader::Open(const std::string& path, ReaderOptions options) {
  BLACKOUT_ASSIGN_OR_RETURN(std::unique_ptr<InputStream> in, InputStream::Open(path));
  return std::make_unique<MrtReader>(std::move(in), std::move(options));
}

Result<const Record*> MrtReader::Next() {
  current_ = nullptr;
  next_element_ = 0;
  return impl_->Next();
}

Result<const Element*> MrtReader::NextElement() {
  while (current_ == nullptr || next_element_ >= current_->elements.size()) {
    Result<const Record*> r = impl_->Next();
    if (!r.ok()) return r.status();
    current_ = *r;
    next_element_ = 0;
    if (current_ == nullptr) return static_cast<const Element*>(nullptr);
  }
  return &current_->elements[next_element_++];
}

const std::string& MrtReader::name() const { return input_->name(); }

const PeerIndexTable* MrtReader::peer_index() const { return impl_->decoder_.peer_index(); }

}  // namespace blackout::mrt
